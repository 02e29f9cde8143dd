//! `one_hot`: class ids to indicator vectors.

use crate::dtype::DType;
use crate::tensor::Tensor;

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
        let classes = match (ids.iter().min(), ids.iter().max()) {
            (Some(&min), Some(&max)) => {
                assert!(
                    min >= 0,
                    "one_hot: class values must be non-negative, got {min}"
                );
                if num_classes == -1 {
                    max + 1
                } else {
                    assert!(
                        max < num_classes,
                        "one_hot: class values must be smaller than num_classes ({num_classes}), got {max}"
                    );
                    num_classes
                }
            }
            _ => {
                assert!(
                    num_classes > 0,
                    "one_hot: can not infer the number of classes from an empty tensor (num_classes = {num_classes})"
                );
                num_classes
            }
        } as usize;
        let mut out = vec![0i64; ids.len() * classes];
        for (row, &id) in out.chunks_exact_mut(classes).zip(&ids) {
            row[id as usize] = 1;
        }
        let mut dims = self.dims().to_vec();
        dims.push(classes);
        Tensor::from_vec(out, dims)
    }
}
