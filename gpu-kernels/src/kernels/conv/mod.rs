//! Convolution building blocks: `im2col` and `col2im` (PyTorch's `F.unfold` / `F.fold`) on f32
//! buffers. A convolution is `im2col` followed by a matrix product ([`crate::matmul`]); its
//! input gradient is a product followed by `col2im`, which gathers per input element (no
//! atomics, a fixed summation order).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::Result;
use crate::kernels::window::{Window2d, check_f32};
use crate::pipeline::{Access, Kernel};

const BINDINGS: &[Access] = &[Access::Read, Access::ReadWrite, Access::Read];
const SOURCE: &[&str] = &[include_str!("conv.wgsl")];

const IM2COL: Kernel = Kernel {
    family: "conv",
    entry: "im2col",
    source: SOURCE,
    bindings: BINDINGS,
};

const COL2IM: Kernel = Kernel {
    family: "conv",
    entry: "col2im",
    source: SOURCE,
    bindings: BINDINGS,
};

/// Runs `kernel` with one thread per element of an `n`-element f32 result.
fn launch(
    ctx: &GpuContext,
    kernel: &Kernel,
    src: &GpuBuffer,
    window: &Window2d,
    n: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let mut params = window.encode();
    params.push(n as u32);
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(kernel, &[("WG", WG_1D)], &[src, &out], &params, (gx, gy, 1))?;
    Ok(out)
}

/// Unrolls the contiguous f32 images `x` (`[N, C, H, W]`) into `[N, C·kh·kw, OH·OW]`
/// (`F.unfold`): row `(c·kh + i)·kw + j` holds channel `c` read through tap `(i, j)` at every
/// output position, zeros where the tap falls in the padding.
pub fn im2col(ctx: &GpuContext, x: &GpuBuffer, window: &Window2d) -> Result<GpuBuffer> {
    const OP: &str = "im2col";
    window.check(OP)?;
    check_f32(OP, x, window.input_len(), "x")?;
    let rows = window.channels * window.kernel[0] * window.kernel[1];
    launch(
        ctx,
        &IM2COL,
        x,
        window,
        window.batch * rows * window.out_len(),
    )
}

/// The adjoint of [`im2col`] (`F.fold`): sums every entry of the contiguous f32 `cols`
/// (`[N, C·kh·kw, OH·OW]`) onto the input position it was read from, giving `[N, C, H, W]`.
/// Each input element gathers its own contributions in tap order.
pub fn col2im(ctx: &GpuContext, cols: &GpuBuffer, window: &Window2d) -> Result<GpuBuffer> {
    const OP: &str = "col2im";
    window.check(OP)?;
    let rows = window.channels * window.kernel[0] * window.kernel[1];
    check_f32(OP, cols, window.batch * rows * window.out_len(), "cols")?;
    launch(ctx, &COL2IM, cols, window, window.input_len())
}
