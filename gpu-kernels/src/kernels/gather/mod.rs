//! Index-based reads: `torch.index_select`, `torch.nn.functional.embedding` and
//! `torch.gather`, on 32-bit element buffers with u32 or i32 indices.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const BINDINGS: &[Access] = &[Access::Read, Access::Read, Access::ReadWrite, Access::Read];
const SOURCE: &[&str] = &[include_str!("gather.wgsl")];

const INDEX_SELECT: Kernel = Kernel {
    family: "gather",
    entry: "index_select",
    source: SOURCE,
    bindings: BINDINGS,
};

const GATHER: Kernel = Kernel {
    family: "gather",
    entry: "gather",
    source: SOURCE,
    bindings: BINDINGS,
};

fn check_buffers(op: &'static str, x: &GpuBuffer, index: &GpuBuffer) -> Result<u32> {
    if x.dtype().size_bytes() != 4 {
        return Err(invalid(
            op,
            format!("needs 32-bit elements, got {:?}", x.dtype()),
        ));
    }
    match index.dtype() {
        DType::U32 => Ok(0),
        DType::I32 => Ok(1),
        other => Err(GpuError::DTypeMismatch {
            op,
            expected: DType::U32,
            found: other,
        }),
    }
}

#[allow(clippy::too_many_arguments)]
fn launch(
    ctx: &GpuContext,
    kernel: &Kernel,
    signed: u32,
    x: &GpuBuffer,
    index: &GpuBuffer,
    view: &StridedLayout,
    dim: usize,
    src_len: usize,
) -> Result<GpuBuffer> {
    let n = view.numel();
    let out = ctx.alloc(n, x.dtype())?;
    if n == 0 {
        return Ok(out);
    }
    let mut params = vec![n as u32, dim as u32, src_len as u32];
    params.extend(view.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        kernel,
        &[("WG", WG_1D), ("SIGNED", signed)],
        &[x, index, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}

/// Selects entries `index[0..k]` along `dim` of the view `layout` of `x`
/// (`torch.index_select`); the result is contiguous with `layout.shape[dim]` replaced by
/// `index.len()`. Out-of-range indices yield NaN bits (the caller validates indices).
pub fn index_select(
    ctx: &GpuContext,
    x: &GpuBuffer,
    layout: &StridedLayout,
    dim: usize,
    index: &GpuBuffer,
) -> Result<GpuBuffer> {
    const OP: &str = "index_select";
    let signed = check_buffers(OP, x, index)?;
    layout.validate(OP, x.len())?;
    if dim >= layout.shape.len() {
        return Err(invalid(
            OP,
            format!("dim {dim} out of range for shape {:?}", layout.shape),
        ));
    }
    let src_len = layout.shape[dim];
    let mut view = layout.clone();
    view.shape[dim] = index.len();
    launch(ctx, &INDEX_SELECT, signed, x, index, &view, dim, src_len)
}

/// Embedding lookup (`torch.nn.functional.embedding`): rows `ids` of the contiguous
/// `[vocab, dim]` table `weight`, giving a contiguous `[ids.len(), dim]` buffer.
pub fn embedding(
    ctx: &GpuContext,
    weight: &GpuBuffer,
    vocab: usize,
    dim: usize,
    ids: &GpuBuffer,
) -> Result<GpuBuffer> {
    index_select(
        ctx,
        weight,
        &StridedLayout::contiguous(&[vocab, dim]),
        0,
        ids,
    )
}

/// `torch.gather(x, dim, index)`: `out[p] = x[p with p[dim] = index[p]]`, where `index` is a
/// contiguous buffer of shape `index_shape` (same rank as the view, each size at most the
/// view's except along `dim`). Out-of-range indices yield NaN bits.
pub fn gather(
    ctx: &GpuContext,
    x: &GpuBuffer,
    layout: &StridedLayout,
    dim: usize,
    index: &GpuBuffer,
    index_shape: &[usize],
) -> Result<GpuBuffer> {
    const OP: &str = "gather";
    let signed = check_buffers(OP, x, index)?;
    layout.validate(OP, x.len())?;
    let rank = layout.shape.len();
    if dim >= rank || index_shape.len() != rank {
        return Err(invalid(
            OP,
            format!(
                "dim {dim}, index shape {index_shape:?} do not fit view shape {:?}",
                layout.shape
            ),
        ));
    }
    for d in 0..rank {
        if d != dim && index_shape[d] > layout.shape[d] {
            return Err(invalid(
                OP,
                format!(
                    "index shape {index_shape:?} exceeds view shape {:?} in dim {d}",
                    layout.shape
                ),
            ));
        }
    }
    if index.len() < index_shape.iter().product::<usize>() {
        return Err(invalid(OP, "index buffer shorter than its shape"));
    }
    let src_len = layout.shape[dim];
    let mut view = layout.clone();
    view.shape = index_shape.to_vec();
    launch(ctx, &GATHER, signed, x, index, &view, dim, src_len)
}
