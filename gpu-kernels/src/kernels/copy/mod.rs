//! Strided copy (`torch.Tensor.contiguous()`): makes any view contiguous, which is how
//! transpose and permute are materialised; [`copy_into`] writes a view into a view of another
//! buffer (the placement step of `torch.cat`), and [`triangle`] copies the upper or lower
//! triangle of a view (`torch.triu` / `torch.tril`).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const BINDINGS: &[Access] = &[Access::Read, Access::ReadWrite, Access::Read];
const SOURCE: &[&str] = &[include_str!("copy.wgsl"), include_str!("../strided.wgsl")];

const COPY32: Kernel = Kernel {
    family: "copy",
    entry: "copy32",
    source: SOURCE,
    bindings: BINDINGS,
};

const COPY16: Kernel = Kernel {
    family: "copy",
    entry: "copy16",
    source: SOURCE,
    bindings: BINDINGS,
};

/// Copies the view `layout` of `x` (any dtype) into a new contiguous buffer of
/// `layout.numel()` elements, row-major in `layout.shape`.
pub fn contiguous(ctx: &GpuContext, x: &GpuBuffer, layout: &StridedLayout) -> Result<GpuBuffer> {
    layout.validate("contiguous", x.len())?;
    let n = layout.numel();
    let out = ctx.alloc(n, x.dtype())?;
    if n == 0 {
        return Ok(out);
    }
    let mut params = vec![n as u32];
    params.extend(layout.encode());
    let (kernel, threads) = if x.dtype().size_bytes() == 2 {
        (&COPY16, (n as u64).div_ceil(2))
    } else {
        (&COPY32, n as u64)
    };
    let (gx, gy) = ctx.grid(threads.div_ceil(u64::from(WG_1D)));
    ctx.run(kernel, &[("WG", WG_1D)], &[x, &out], &params, (gx, gy, 1))?;
    Ok(out)
}

const COPY_INTO32: Kernel = Kernel {
    family: "copy",
    entry: "copy_into32",
    source: SOURCE,
    bindings: BINDINGS,
};

const TRIANGLE32: Kernel = Kernel {
    family: "copy",
    entry: "triangle32",
    source: SOURCE,
    bindings: BINDINGS,
};

/// Errors unless `x` holds 32-bit elements (the in-place and triangle copies move whole words).
fn check_32bit(op: &'static str, x: &GpuBuffer) -> Result<()> {
    if x.dtype().size_bytes() == 4 {
        Ok(())
    } else {
        Err(GpuError::DTypeMismatch {
            op,
            expected: DType::F32,
            found: x.dtype(),
        })
    }
}

/// Writes the view `src_layout` of `src` into the view `dst_layout` of `dst`, in place:
/// element `i` (row-major) of one view goes to element `i` of the other, and the rest of `dst`
/// keeps its contents (`dst[region].copy_(src)` in PyTorch). Both views need the same shape
/// and both buffers 32-bit elements, whose bits are copied unchanged (so i32 and u32 mix); the
/// destination view should not repeat an element (stride 0), or which write lands is
/// unspecified.
pub fn copy_into(
    ctx: &GpuContext,
    src: &GpuBuffer,
    src_layout: &StridedLayout,
    dst: &GpuBuffer,
    dst_layout: &StridedLayout,
) -> Result<()> {
    const OP: &str = "copy_into";
    check_32bit(OP, src)?;
    check_32bit(OP, dst)?;
    if src_layout.shape != dst_layout.shape {
        return Err(invalid(
            OP,
            format!(
                "source view {:?} and destination view {:?} differ in shape",
                src_layout.shape, dst_layout.shape
            ),
        ));
    }
    src_layout.validate(OP, src.len())?;
    dst_layout.validate(OP, dst.len())?;
    let n = src_layout.numel();
    if n == 0 {
        return Ok(());
    }
    let mut params = vec![n as u32];
    params.extend(src_layout.encode());
    params.extend(dst_layout.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &COPY_INTO32,
        &[("WG", WG_1D)],
        &[src, dst],
        &params,
        (gx, gy, 1),
    )
}

/// The upper (`upper`) or lower triangle of the last two dims of the view `layout` of the
/// 32-bit buffer `x`, as a new contiguous buffer with zero bits outside it (`torch.triu` /
/// `torch.tril`): element `(r, c)` is kept when `c - r >= diagonal` (upper) or
/// `c - r <= diagonal` (lower). The view needs at least two dims.
pub fn triangle(
    ctx: &GpuContext,
    x: &GpuBuffer,
    layout: &StridedLayout,
    diagonal: i64,
    upper: bool,
) -> Result<GpuBuffer> {
    const OP: &str = "triangle";
    check_32bit(OP, x)?;
    layout.validate(OP, x.len())?;
    let rank = layout.shape.len();
    if rank < 2 {
        return Err(invalid(
            OP,
            format!("needs at least 2 dims, got shape {:?}", layout.shape),
        ));
    }
    let n = layout.numel();
    let out = ctx.alloc(n, x.dtype())?;
    if n == 0 {
        return Ok(out);
    }
    let (rows, cols) = (layout.shape[rank - 2], layout.shape[rank - 1]);
    // Beyond these bounds every element is on the same side, so the clamp keeps the meaning.
    let diagonal = diagonal.clamp(-(rows as i64) - 1, cols as i64 + 1) as i32;
    let mut params = vec![
        n as u32,
        rows as u32,
        cols as u32,
        diagonal as u32,
        u32::from(upper),
    ];
    params.extend(layout.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &TRIANGLE32,
        &[("WG", WG_1D)],
        &[x, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
