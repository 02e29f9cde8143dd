//! Strided copy (`torch.Tensor.contiguous()`): makes any view contiguous, which is how
//! transpose and permute are materialised.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::error::Result;
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
