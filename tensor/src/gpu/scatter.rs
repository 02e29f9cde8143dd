//! `scatter` / `scatter_add` on the GPU (`kiln_gpu_kernels::scatter`), which also serves the
//! backward pass of `gather`, `index_select` and `embedding` in `kiln-autograd`.
//!
//! 32-bit buffers are scattered directly (int64 adds wrap at 32 bits, uint8 at 8 bits, bools
//! OR); f16 / bf16 go through f32 and round once at the end instead of after every addition.
//! Indices are validated like on the CPU, which reads the index tensor back. With repeated
//! targets `scatter` keeps one of the values (unspecified which) and `scatter_add` adds in an
//! unspecified order, as PyTorch's CUDA kernels do.

use kiln_gpu_kernels::{ScatterMode, StridedLayout, scatter as kernel};

use crate::dtype::DType;
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{contiguous, gpu_storage, on_gpu, strided, to_dtype};
use crate::ops::index::checked_indices;
use crate::tensor::Tensor;

/// `t.scatter(d, index, src)` (`add == false`) or `t.scatter_add(d, index, src)`, with dtypes,
/// ranks and sizes already checked by the caller and `d` resolved.
pub(crate) fn scatter(
    t: &Tensor,
    d: usize,
    index: &Tensor,
    src: &Tensor,
    add: bool,
) -> Option<Tensor> {
    let op = if add { "scatter_add" } else { "scatter" };
    if !on_gpu(op, &[t, index, src]) {
        return None;
    }
    // 0-d tensors scatter as one-element 1-D ones, as on the CPU.
    let as_1d = |x: &Tensor| {
        if x.dim() == 0 {
            x.reshape(&[1])
        } else {
            x.clone()
        }
    };
    let (input, index, src) = (as_1d(t), as_1d(index), as_1d(src));
    checked_indices(&index, input.dims()[d], d, op);
    let dtype = t.dtype();
    let work = match dtype {
        DType::F16 | DType::BF16 => DType::F32,
        other => other,
    };
    let mode = match (add, work) {
        (false, _) => ScatterMode::Assign,
        (true, DType::F32) => ScatterMode::AddF32,
        (true, DType::I64) => ScatterMode::AddInt,
        (true, DType::U8) => ScatterMode::AddU8,
        (true, _) => ScatterMode::Or,
    };
    let dst = contiguous(&to_dtype(&input, work).expect("a gpu tensor")).expect("a gpu tensor");
    let src = to_dtype(&src, work).expect("a gpu tensor");
    let (gd, gs, gi) = (
        gpu_storage(&dst).expect("a gpu tensor"),
        gpu_storage(&src).expect("a gpu tensor"),
        gpu_storage(&index).expect("a gpu tensor"),
    );
    // The part of `src` that is read: its strides over the index's shape.
    let src_view = strided(&src);
    let src_view = StridedLayout::new(index.dims(), &src_view.strides, src_view.offset);
    let out = ok(
        op,
        kernel(
            &gd.gpu.ctx,
            &gd.buffer,
            input.dims(),
            d,
            &gi.buffer,
            &strided(&index),
            &gs.buffer,
            &src_view,
            mode,
        ),
    );
    let out = wrap_contiguous(&gd.gpu, out, work, t.dims().to_vec());
    Some(to_dtype(&out, dtype).expect("a gpu tensor"))
}
