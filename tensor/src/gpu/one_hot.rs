//! `one_hot` on the GPU: the class count and the id checks need `min` / `max` of the ids,
//! which run on the GPU and come back as two scalars (PyTorch's CUDA `one_hot` synchronises
//! the same way); the indicator matrix is a `scatter` of ones into zeros.

use crate::dtype::DType;
use crate::gpu::on_gpu;
use crate::tensor::Tensor;

/// `one_hot(num_classes)` of an int64 tensor of ids (dtype checked by the caller).
pub(crate) fn one_hot(ids: &Tensor, num_classes: i64) -> Option<Tensor> {
    if !on_gpu("one_hot", &[ids]) {
        return None;
    }
    let classes = if ids.numel() == 0 {
        assert!(
            num_classes > 0,
            "one_hot: can not infer the number of classes from an empty tensor (num_classes = {num_classes})"
        );
        num_classes
    } else {
        let (min, max) = (ids.min().item::<i64>(), ids.max().item::<i64>());
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
    } as usize;
    let device = ids.device();
    let mut dims = ids.dims().to_vec();
    dims.push(classes);
    let column = ids.unsqueeze(-1);
    let ones = Tensor::ones_with(column.shape().clone(), DType::I64, &device);
    Some(Tensor::zeros_with(dims, DType::I64, &device).scatter(-1, &column, &ones))
}
