//! `one_hot` on the GPU: the class count and the id checks need `min` / `max` of the ids,
//! which run on the GPU and come back as two scalars (PyTorch's CUDA `one_hot` synchronises
//! the same way); the indicator matrix is a `scatter` of ones into zeros.

use crate::dtype::DType;
use crate::gpu::on_gpu;
use crate::ops::index::one_hot::class_count;
use crate::tensor::Tensor;

/// `one_hot(num_classes)` of an int64 tensor of ids (dtype checked by the caller).
pub(crate) fn one_hot(ids: &Tensor, num_classes: i64) -> Option<Tensor> {
    if !on_gpu("one_hot", &[ids]) {
        return None;
    }
    let range = (ids.numel() > 0).then(|| (ids.min().item::<i64>(), ids.max().item::<i64>()));
    let classes = class_count(range, num_classes);
    let device = ids.device();
    let mut dims = ids.dims().to_vec();
    dims.push(classes);
    let column = ids.unsqueeze(-1);
    let ones = Tensor::ones_with(column.shape().clone(), DType::I64, &device);
    Some(Tensor::zeros_with(dims, DType::I64, &device).scatter(-1, &column, &ones))
}
