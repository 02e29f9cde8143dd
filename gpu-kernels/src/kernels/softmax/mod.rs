//! Softmax and log-softmax over the last dimension (`torch.softmax(x, -1)`,
//! `torch.log_softmax(x, -1)`).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::pipeline::{Access, Kernel};

const SOFTMAX: Kernel = Kernel {
    family: "softmax",
    entry: "softmax",
    source: &[include_str!("softmax.wgsl")],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

/// Threads per row.
const WG: u32 = 256;

/// Placement of a `[rows, cols]` matrix whose rows are contiguous but may be spaced apart
/// (a narrowed last dimension, padded rows) or start at an offset; in elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowsLayout {
    /// Number of rows.
    pub rows: usize,
    /// Elements per row (the softmax dimension).
    pub cols: usize,
    /// Index of element (0, 0).
    pub offset: usize,
    /// Distance between the starts of consecutive rows (`>= cols`).
    pub row_stride: usize,
}

impl RowsLayout {
    /// A contiguous row-major `[rows, cols]` matrix at offset 0.
    pub fn contiguous(rows: usize, cols: usize) -> Self {
        RowsLayout {
            rows,
            cols,
            offset: 0,
            row_stride: cols,
        }
    }
}

/// Softmax (or log-softmax when `log`) of each row of the f32 matrix `layout` of `x`; returns
/// a new contiguous `[rows, cols]` buffer. A row of all `-inf` gives NaN, and a NaN anywhere
/// in a row makes the row NaN, as in PyTorch.
pub fn softmax(
    ctx: &GpuContext,
    x: &GpuBuffer,
    layout: &RowsLayout,
    log: bool,
) -> Result<GpuBuffer> {
    const OP: &str = "softmax";
    if x.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::F32,
            found: x.dtype(),
        });
    }
    let RowsLayout {
        rows,
        cols,
        offset,
        row_stride,
    } = *layout;
    let n = rows
        .checked_mul(cols)
        .ok_or_else(|| invalid(OP, "size overflow"))?;
    let end = (rows.max(1) - 1)
        .checked_mul(row_stride)
        .and_then(|v| v.checked_add(offset + cols));
    if row_stride < cols || end.is_none_or(|e| n > 0 && (e > x.len() || e > u32::MAX as usize)) {
        return Err(invalid(
            OP,
            format!("{layout:?} does not fit a buffer of {}", x.len()),
        ));
    }
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let (gx, gy) = ctx.grid(rows as u64);
    ctx.run(
        &SOFTMAX,
        &[("WG", WG), ("LOG", u32::from(log))],
        &[x, &out],
        &[rows as u32, cols as u32, offset as u32, row_stride as u32],
        (gx, gy, 1),
    )?;
    Ok(out)
}
