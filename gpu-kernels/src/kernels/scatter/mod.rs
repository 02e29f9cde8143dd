//! Scatter-add along a dimension (`torch.Tensor.index_add`), the backward pass of
//! `index_select` and `embedding`; [`scatter`] (in `dim.rs`) writes or adds along a dimension
//! with a full index tensor (`torch.Tensor.scatter` / `scatter_add`).

mod dim;

pub use dim::{ScatterMode, scatter};

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::pipeline::{Access, Kernel};

const INDEX_ADD: Kernel = Kernel {
    family: "scatter",
    entry: "index_add",
    source: &[include_str!("scatter.wgsl")],
    bindings: &[Access::ReadWrite, Access::Read, Access::Read, Access::Read],
};

/// Shape of an [`index_add`] along one dimension of contiguous buffers: the destination is
/// `[outer, dst_dim, inner]` and the source `[outer, index.len(), inner]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexAddShape {
    /// Product of the dimensions before `dim`.
    pub outer: usize,
    /// Size of the destination along `dim`.
    pub dst_dim: usize,
    /// Product of the dimensions after `dim`.
    pub inner: usize,
}

/// Returns a copy of the f32 buffer `dst` with `src` rows added at `index` along the middle
/// dimension of `shape` (`dst.index_add(dim, index, src)`); repeated indices accumulate.
/// For an embedding gradient: `dst` = zeros `[vocab, dim]`, `shape = {1, vocab, dim}`,
/// `index` = token ids, `src` = upstream gradient `[n_tokens, dim]`. Out-of-range indices are
/// skipped (the caller validates them).
pub fn index_add(
    ctx: &GpuContext,
    dst: &GpuBuffer,
    shape: IndexAddShape,
    index: &GpuBuffer,
    src: &GpuBuffer,
) -> Result<GpuBuffer> {
    const OP: &str = "index_add";
    for b in [dst, src] {
        if b.dtype() != DType::F32 {
            return Err(GpuError::DTypeMismatch {
                op: OP,
                expected: DType::F32,
                found: b.dtype(),
            });
        }
    }
    let signed = match index.dtype() {
        DType::U32 => 0,
        DType::I32 => 1,
        other => {
            return Err(GpuError::DTypeMismatch {
                op: OP,
                expected: DType::U32,
                found: other,
            });
        }
    };
    let IndexAddShape {
        outer,
        dst_dim,
        inner,
    } = shape;
    let dst_len = outer
        .checked_mul(dst_dim)
        .and_then(|v| v.checked_mul(inner));
    let src_len = outer
        .checked_mul(index.len())
        .and_then(|v| v.checked_mul(inner));
    let (Some(dst_len), Some(n)) = (dst_len, src_len) else {
        return Err(invalid(OP, "size overflow"));
    };
    if dst.len() != dst_len || src.len() < n {
        return Err(invalid(
            OP,
            format!(
                "{shape:?} with {} indices needs dst of {dst_len} and src of {n} elements, got {} and {}",
                index.len(),
                dst.len(),
                src.len()
            ),
        ));
    }
    let out = ctx.alloc(dst_len, DType::F32)?;
    if dst_len > 0 {
        let mut enc = ctx.device().create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(dst.raw(), 0, out.raw(), 0, Some(dst.byte_len()));
        ctx.queue().submit([enc.finish()]);
    }
    if n == 0 {
        return Ok(out);
    }
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &INDEX_ADD,
        &[("WG", WG_1D), ("SIGNED", signed)],
        &[&out, src, index],
        &[n as u32, inner as u32, index.len() as u32, dst_dim as u32],
        (gx, gy, 1),
    )?;
    Ok(out)
}
