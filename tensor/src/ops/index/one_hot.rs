//! `one_hot`: class ids to indicator vectors.

use crate::dtype::DType;
use crate::tensor::Tensor;

/// The number of classes of a `one_hot` result from the ids' `(min, max)` (`None` when there
/// are no ids) and the requested `num_classes` (`-1`: infer it as `max + 1`). Panics with
/// PyTorch's messages for a negative id, an id not below `num_classes`, or an empty input
/// whose count cannot be inferred. Shared by the CPU and GPU paths.
pub(crate) fn class_count(range: Option<(i64, i64)>, num_classes: i64) -> usize {
    let Some((min, max)) = range else {
        assert!(
            num_classes > 0,
            "one_hot: can not infer the number of classes from an empty tensor (num_classes = {num_classes})"
        );
        return num_classes as usize;
    };
    assert!(
        min >= 0,
        "one_hot: class values must be non-negative, got {min}"
    );
    if num_classes == -1 {
        return (max + 1) as usize;
    }
    assert!(
        max < num_classes,
        "one_hot: class values must be smaller than num_classes ({num_classes}), got {max}"
    );
    num_classes as usize
}

impl Tensor {
    /// One-hot encoding of an int64 tensor of class ids (`torch.nn.functional.one_hot`): the
    /// result has shape `self.shape() + [num_classes]`, dtype int64, and a 1 at each id.
    ///
    /// `num_classes == -1` uses `max(self) + 1`. Panics, as PyTorch does, when `self` is not
    /// int64, an id is negative or not below `num_classes`, or `self` is empty and
    /// `num_classes` is not positive (the count cannot be inferred).
    pub fn one_hot(&self, num_classes: i64) -> Tensor {
        assert_eq!(
            self.dtype(),
            DType::I64,
            "one_hot: only applicable to int64 index tensors, got {}",
            self.dtype()
        );
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::one_hot(self, num_classes) {
            return out;
        }
        let ids = self.to_vec::<i64>();
        let range = ids.iter().min().zip(ids.iter().max());
        let classes = class_count(range.map(|(&lo, &hi)| (lo, hi)), num_classes);
        let mut out = vec![0i64; ids.len() * classes];
        for (row, &id) in out.chunks_exact_mut(classes).zip(&ids) {
            row[id as usize] = 1;
        }
        let mut dims = self.dims().to_vec();
        dims.push(classes);
        Tensor::from_vec(out, dims)
    }
}
