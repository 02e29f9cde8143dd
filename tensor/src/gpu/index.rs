//! Index ops on the GPU: `index_select` (and so embedding lookups), `gather`, `where_` and
//! `masked_fill` (`kiln_gpu_kernels::index_select` / `gather`, which move 32-bit elements as
//! bits; 16-bit floats go through f32).
//!
//! Indices are validated like on the CPU, which reads the (small) index tensor back.

use std::sync::Arc;

use kiln_gpu_kernels::{
    GpuBuffer, StridedLayout, gather as gather_kernel, index_select as select_kernel,
};

use crate::dtype::DType;
use crate::gpu::context::Gpu;
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{gpu_storage, on_gpu, strided, to_dtype};
use crate::ops::index::checked_indices;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// `t` as a tensor whose buffer holds 32-bit elements (f16 / bf16 become f32), with the dtype
/// to convert the result back to.
fn bits32(t: &Tensor) -> (Tensor, DType) {
    let dtype = t.dtype();
    match dtype {
        DType::F16 | DType::BF16 => (to_dtype(t, DType::F32).expect("a gpu tensor"), dtype),
        _ => (t.clone(), dtype),
    }
}

/// The contiguous buffer of a GPU tensor.
fn packed(t: &Tensor) -> (Arc<Gpu>, GpuBuffer) {
    let c = crate::gpu::contiguous(t).expect("a gpu tensor");
    let g = gpu_storage(&c).expect("a gpu tensor");
    (Arc::clone(&g.gpu), g.buffer.clone())
}

/// Wraps a 32-bit result of `x32`'s buffer type and converts it back to `dtype`.
fn finish(gpu: &Arc<Gpu>, out: GpuBuffer, x32: &Tensor, dtype: DType, shape: Vec<usize>) -> Tensor {
    let t = wrap_contiguous(gpu, out, x32.dtype(), shape);
    to_dtype(&t, dtype).expect("a gpu tensor")
}

/// `index_select(d, index)` of a tensor with at least one dim; `index` is 1-D or 0-D int64
/// (checked by the caller).
pub(crate) fn index_select(t: &Tensor, d: usize, index: &Tensor) -> Option<Tensor> {
    const OP: &str = "index_select";
    if !on_gpu(OP, &[t, index]) {
        return None;
    }
    checked_indices(index, t.dims()[d], d, OP);
    let (x32, dtype) = bits32(t);
    let g = gpu_storage(&x32).expect("a gpu tensor");
    let (_, idx) = packed(index);
    let out = ok(
        OP,
        select_kernel(&g.gpu.ctx, &g.buffer, &strided(&x32), d, &idx),
    );
    let mut shape = t.dims().to_vec();
    shape[d] = index.numel();
    Some(finish(&g.gpu, out, &x32, dtype, shape))
}

/// `gather(d, index)` with `input` and `index` of equal rank (0-d already viewed as 1-d and
/// shapes checked by the caller); the result has `index`'s shape.
pub(crate) fn gather(input: &Tensor, d: usize, index: &Tensor) -> Option<Tensor> {
    const OP: &str = "gather";
    if !on_gpu(OP, &[input, index]) {
        return None;
    }
    checked_indices(index, input.dims()[d], d, OP);
    let (x32, dtype) = bits32(input);
    let g = gpu_storage(&x32).expect("a gpu tensor");
    let (_, idx) = packed(index);
    let out = ok(
        OP,
        gather_kernel(&g.gpu.ctx, &g.buffer, &strided(&x32), d, &idx, index.dims()),
    );
    Some(finish(&g.gpu, out, &x32, dtype, index.dims().to_vec()))
}

/// `where_(condition, a, b)` with `a` and `b` already in the result dtype and `shape` their
/// broadcast shape: `b` and `a` are laid out as the two rows of one `[2, n]` buffer and
/// gathered along dim 0 by the 0/1 condition, so values (NaN, inf) pass through untouched.
pub(crate) fn where_(condition: &Tensor, a: &Tensor, b: &Tensor, shape: &Shape) -> Option<Tensor> {
    const OP: &str = "where";
    if !on_gpu(OP, &[condition, a, b]) {
        return None;
    }
    let n = shape.numel();
    let (a32, dtype) = bits32(a);
    let (b32, _) = bits32(b);
    let spread = |t: &Tensor| packed(&t.broadcast_to(shape.clone()));
    let (gpu, rb) = spread(&b32);
    let (_, ra) = spread(&a32);
    let (_, cond) = spread(condition);
    let ctx = &gpu.ctx;
    let table = ok(OP, ctx.alloc(2 * n, rb.dtype()));
    let mut enc = ctx.device().create_command_encoder(&Default::default());
    let bytes = rb.byte_len();
    if bytes > 0 {
        enc.copy_buffer_to_buffer(rb.raw(), 0, table.raw(), 0, Some(bytes));
        enc.copy_buffer_to_buffer(ra.raw(), 0, table.raw(), bytes, Some(bytes));
    }
    ctx.queue().submit([enc.finish()]);
    let table_view = StridedLayout::contiguous(&[2, n]);
    let out = ok(
        OP,
        gather_kernel(ctx, &table, &table_view, 0, &cond, &[1, n]),
    );
    Some(finish(&gpu, out, &b32, dtype, shape.dims().to_vec()))
}

/// `masked_fill(mask, value)` (value and shapes checked by the caller): `value` where `mask`
/// holds, `t` elsewhere, with the broadcast `shape`.
pub(crate) fn masked_fill(t: &Tensor, mask: &Tensor, value: f64, shape: &Shape) -> Option<Tensor> {
    if !on_gpu("masked_fill", &[t, mask]) {
        return None;
    }
    let fill = Tensor::full_with((), value, t.dtype(), &t.device());
    where_(mask, &fill, t, shape)
}
