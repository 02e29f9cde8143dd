//! `cumsum` on the GPU (`kiln_gpu_kernels::cumsum`): floats scan in f32 with compensated
//! summation (f16 / bf16 through f32), integers and bools in 32-bit integers, giving int64.

use kiln_gpu_kernels::{StridedLayout, cumsum as kernel};

use crate::dtype::DType;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{gpu_storage, on_gpu, strided};
use crate::tensor::Tensor;

/// `cumsum(d)` with `d` already resolved (any `d` for a 0-d tensor, which scans as one
/// element).
pub(crate) fn cumsum(t: &Tensor, d: usize) -> Option<Tensor> {
    const OP: &str = "cumsum";
    if !on_gpu(OP, &[t]) {
        return None;
    }
    let scalar = |l: StridedLayout| {
        if l.shape.is_empty() {
            (StridedLayout::new(&[1], &[1], l.offset), 0)
        } else {
            (l, d)
        }
    };
    let shape = t.dims().to_vec();
    if t.dtype().is_float() {
        let (gpu, x, layout) = f32_operand(t);
        let (layout, dim) = scalar(layout);
        let out = ok(OP, kernel(&gpu.ctx, &x, &layout, dim));
        return Some(from_f32(&gpu, out, t.dtype(), shape));
    }
    // int64 (i32 / u32 buffers), uint8 and bool (u32 buffers) all add as 32-bit integers.
    let g = gpu_storage(t).expect("a gpu tensor");
    let (layout, dim) = scalar(strided(t));
    let out = ok(OP, kernel(&g.gpu.ctx, &g.buffer, &layout, dim));
    Some(wrap_contiguous(&g.gpu, out, DType::I64, shape))
}
