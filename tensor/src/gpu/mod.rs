//! GPU tensors (feature `gpu`): `Device::Gpu` storage and the GPU path of every tensor op,
//! running `kiln-gpu-kernels`' WGSL kernels through wgpu.
//!
//! Each CPU op in `crate::ops` begins with one dispatch line,
//! `#[cfg(feature = "gpu")] if let Some(out) = crate::gpu::<op>(…) { return out; }`: the
//! functions here return `None` when every input is a CPU tensor, the GPU result when they
//! live on one GPU, and panic naming both devices when the inputs are split between devices.
//! An op without a GPU path never copies to the host behind the caller's back: it reaches
//! [`reject`] and panics naming the op and the device. Files mirror `crate::ops`.

mod binary;
mod combine;
pub(crate) mod context;
mod conv;
mod convert;
mod index;
mod layer_norm;
mod logsumexp;
mod matmul;
mod moments;
mod norm;
mod one_hot;
mod pool;
mod random;
mod reduce;
mod scan;
mod scatter;
mod softmax;
mod storage;
mod triangle;
mod unary;

pub(crate) use binary::{binary, binary_scalar, compare, logical};
pub(crate) use combine::cat;
pub(crate) use conv::{col2im, im2col};
pub(crate) use convert::{contiguous, to_dtype};
pub(crate) use index::{gather, index_select, masked_fill, where_};
pub(crate) use layer_norm::{layer_norm, layer_norm_backward};
pub(crate) use logsumexp::logsumexp;
pub(crate) use matmul::matmul;
pub(crate) use moments::variance;
pub(crate) use norm::norm;
pub(crate) use one_hot::one_hot;
pub(crate) use pool::{avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward};
pub(crate) use random::bernoulli;
pub(crate) use reduce::{
    arg_all, arg_dim, extreme_all, extreme_dim, mean_dims, prod_dims, sum_dims, truth,
};
pub(crate) use scan::cumsum;
pub(crate) use scatter::scatter;
pub(crate) use softmax::{softmax, softmax_backward};
pub(crate) use storage::{GpuStorage, to_device};
pub(crate) use triangle::triangle;
pub(crate) use unary::{clamp, logical_not, unary};

use kiln_gpu_kernels::StridedLayout;

use crate::storage::Storage;
use crate::tensor::Tensor;

/// The GPU storage of `t`, `None` for a CPU tensor.
pub(crate) fn gpu_storage(t: &Tensor) -> Option<&GpuStorage> {
    match &*t.storage {
        Storage::Gpu(g) => Some(g),
        Storage::Cpu(_) => None,
    }
}

/// `t`'s view (shape, strides, offset) in the kernels' terms.
pub(crate) fn strided(t: &Tensor) -> StridedLayout {
    StridedLayout::new(t.dims(), t.strides(), t.layout.offset())
}

/// True when the inputs of `op` live on a GPU, false when all are on the CPU; panics naming
/// both devices when they differ (`torch`'s "Expected all tensors to be on the same device").
pub(crate) fn on_gpu(op: &str, tensors: &[&Tensor]) -> bool {
    let Some((first, rest)) = tensors.split_first() else {
        return false;
    };
    let device = first.device();
    for t in rest {
        let other = t.device();
        assert!(
            other == device,
            "{op}: expected all tensors on the same device, got {device} and {other}"
        );
    }
    !device.is_cpu()
}

/// Panics for a GPU tensor reaching CPU-only code: `op` has no GPU path (PyTorch's
/// "not implemented for 'CUDA'"). Nothing is copied to the host implicitly.
pub(crate) fn reject(t: &Tensor, op: &str) {
    if let Some(g) = gpu_storage(t) {
        panic!(
            "{op}: not implemented for gpu:{} tensors; move the tensor with \
             .to_device(&Device::Cpu) first",
            g.ordinal
        );
    }
}
