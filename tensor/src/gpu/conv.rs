//! Convolution on the GPU: the `im2col` / `col2im` steps of `Tensor::conv2d` and
//! `Tensor::conv2d_backward` (`kiln_gpu_kernels::im2col` / `col2im`).
//!
//! Everything else a convolution does — the grouped products, the bias, the weight-gradient
//! sum over the batch, dtype casts — is made of tensor ops that already run on the GPU for GPU
//! tensors (`crate::gpu::matmul` among them), so `ops/conv/conv2d.rs` dispatches here only at
//! its unfold and fold steps and the whole convolution stays on the device.

use std::sync::Arc;

use kiln_gpu_kernels::{GpuBuffer, Window2d, col2im as fold_kernel, im2col as unfold_kernel};

use crate::gpu::context::Gpu;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::storage::ok;
use crate::gpu::{contiguous, gpu_storage};
use crate::ops::conv::geometry::Window;
use crate::tensor::Tensor;

/// The CPU's window description in the kernels' terms.
pub(super) fn window2d(w: &Window) -> Window2d {
    Window2d {
        batch: w.batch,
        channels: w.channels,
        input: w.input,
        output: w.output,
        kernel: w.kernel,
        stride: w.stride,
        padding: w.padding,
        dilation: w.dilation,
    }
}

/// A GPU tensor's elements as a contiguous f32 buffer (views copied, 16-bit floats widened).
pub(super) fn packed_f32(t: &Tensor) -> (Arc<Gpu>, GpuBuffer) {
    let c = contiguous(t).expect("a gpu tensor");
    let (gpu, buffer, _) = f32_operand(&c);
    (gpu, buffer)
}

/// `im2col` of the images `x` (`[N, C, H, W]`, any view) as a `[N, g, C/g·kh·kw, OH·OW]`
/// tensor of `x`'s dtype; `None` for a CPU tensor.
pub(crate) fn im2col(x: &Tensor, w: &Window, groups: usize) -> Option<Tensor> {
    gpu_storage(x)?;
    let (gpu, buffer) = packed_f32(x);
    let cols = ok("conv2d", unfold_kernel(&gpu.ctx, &buffer, &window2d(w)));
    let rows = w.channels * w.kernel[0] * w.kernel[1];
    let shape = [w.batch, groups, rows / groups, w.out_len()];
    Some(from_f32(&gpu, cols, x.dtype(), shape))
}

/// `col2im` of `cols` (`[N, g, C/g·kh·kw, OH·OW]`, any view) into a tensor of `shape`
/// (`[N, C, H, W]`) and `cols`' dtype; `None` for a CPU tensor.
pub(crate) fn col2im(cols: &Tensor, w: &Window, shape: &[usize]) -> Option<Tensor> {
    gpu_storage(cols)?;
    let (gpu, buffer) = packed_f32(cols);
    let image = ok(
        "conv2d_backward",
        fold_kernel(&gpu.ctx, &buffer, &window2d(w)),
    );
    Some(from_f32(&gpu, image, cols.dtype(), shape.to_vec()))
}
