//! `triu` / `tril` on the GPU (`kiln_gpu_kernels::triangle`, which copies the kept triangle of
//! any strided view and zeroes the rest; 16-bit floats go through f32, exactly).

use kiln_gpu_kernels::triangle as kernel;

use crate::dtype::DType;
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{gpu_storage, on_gpu, strided, to_dtype};
use crate::tensor::Tensor;

/// `triu(diagonal)` (`upper`) or `tril(diagonal)` of a tensor with at least 2 dims (checked
/// by the caller).
pub(crate) fn triangle(t: &Tensor, diagonal: i64, upper: bool) -> Option<Tensor> {
    let op = if upper { "triu" } else { "tril" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    let dtype = t.dtype();
    let work = match dtype {
        DType::F16 | DType::BF16 => to_dtype(t, DType::F32).expect("a gpu tensor"),
        _ => t.clone(),
    };
    let g = gpu_storage(&work).expect("a gpu tensor");
    let out = ok(
        op,
        kernel(&g.gpu.ctx, &g.buffer, &strided(&work), diagonal, upper),
    );
    let out = wrap_contiguous(&g.gpu, out, work.dtype(), t.dims().to_vec());
    Some(to_dtype(&out, dtype).expect("a gpu tensor"))
}
