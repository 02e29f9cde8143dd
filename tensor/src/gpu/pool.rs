//! Max and average pooling on the GPU, forward and backward (`kiln_gpu_kernels::max_pool2d`,
//! `avg_pool2d` and their `_backward`s), for the window `ops/conv` has already checked and
//! worked out. Kernels run in f32: f16 / bf16 inputs are widened and the results narrowed
//! back, as the CPU does. The backward passes are gathers per input element, so sums run in
//! the CPU's order.

use kiln_gpu_kernels::{
    avg_pool2d as avg_kernel, avg_pool2d_backward as avg_back_kernel, max_pool2d as max_kernel,
    max_pool2d_backward as max_back_kernel,
};

use crate::dtype::DType;
use crate::gpu::conv::{packed_f32, window2d};
use crate::gpu::convert::from_f32;
use crate::gpu::on_gpu;
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::ops::conv::geometry::Window;
use crate::tensor::Tensor;

/// `max_pool2d_with_indices` of `x` over window `w` (one plane per `(n, c)`): the maxima in
/// `x`'s dtype and their int64 flat indices, both of `shape`; `None` for a CPU tensor.
pub(crate) fn max_pool2d(x: &Tensor, w: &Window, shape: &[usize]) -> Option<(Tensor, Tensor)> {
    const OP: &str = "max_pool2d";
    if !on_gpu(OP, &[x]) {
        return None;
    }
    let (gpu, buffer) = packed_f32(x);
    let (values, indices) = ok(OP, max_kernel(&gpu.ctx, &buffer, &window2d(w)));
    Some((
        from_f32(&gpu, values, x.dtype(), shape.to_vec()),
        wrap_contiguous(&gpu, indices, DType::I64, shape.to_vec()),
    ))
}

/// `max_pool2d_backward` at input `x`: `grad` routed to the elements `indices` name (planes
/// and sizes in `w`), in `x`'s dtype; `None` when all three are CPU tensors. Out-of-range
/// indices route nowhere instead of being checked, which would read them back to the host.
pub(crate) fn max_pool2d_backward(
    x: &Tensor,
    grad: &Tensor,
    indices: &Tensor,
    w: &Window,
) -> Option<Tensor> {
    const OP: &str = "max_pool2d_backward";
    if !on_gpu(OP, &[x, grad, indices]) {
        return None;
    }
    assert!(
        x.dtype().is_float(),
        "{OP}: expected a floating-point tensor, got {}",
        x.dtype()
    );
    assert!(
        indices.dtype() == DType::I64,
        "{OP}: expected int64 indices, got {}",
        indices.dtype()
    );
    let (gpu, g) = packed_f32(grad);
    let idx = crate::gpu::contiguous(indices).expect("a gpu tensor");
    let idx = &crate::gpu::gpu_storage(&idx).expect("a gpu tensor").buffer;
    let out = ok(OP, max_back_kernel(&gpu.ctx, &g, idx, &window2d(w)));
    Some(from_f32(&gpu, out, x.dtype(), x.dims().to_vec()))
}

/// `avg_pool2d` of `x` over window `w`, of `shape` and `x`'s dtype; `None` for a CPU tensor.
pub(crate) fn avg_pool2d(
    x: &Tensor,
    w: &Window,
    count_include_pad: bool,
    shape: &[usize],
) -> Option<Tensor> {
    const OP: &str = "avg_pool2d";
    if !on_gpu(OP, &[x]) {
        return None;
    }
    let (gpu, buffer) = packed_f32(x);
    let out = ok(
        OP,
        avg_kernel(&gpu.ctx, &buffer, &window2d(w), count_include_pad),
    );
    Some(from_f32(&gpu, out, x.dtype(), shape.to_vec()))
}

/// `avg_pool2d_backward` at input `x` for output gradient `grad`, in `x`'s dtype and shape;
/// `None` when both are CPU tensors.
pub(crate) fn avg_pool2d_backward(
    x: &Tensor,
    grad: &Tensor,
    w: &Window,
    count_include_pad: bool,
) -> Option<Tensor> {
    const OP: &str = "avg_pool2d_backward";
    if !on_gpu(OP, &[x, grad]) {
        return None;
    }
    let (gpu, g) = packed_f32(grad);
    let out = ok(
        OP,
        avg_back_kernel(&gpu.ctx, &g, &window2d(w), count_include_pad),
    );
    Some(from_f32(&gpu, out, x.dtype(), x.dims().to_vec()))
}
