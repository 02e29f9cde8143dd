//! Max and average pooling (`F.max_pool2d(..., return_indices=True)`, `F.avg_pool2d`) and their
//! backward passes on contiguous f32 planes `[P, H, W]`. Both backward passes are gathers: each
//! input element sums the gradients of the windows that used it, so no atomics are needed and
//! every sum runs in output order, as on the CPU.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::kernels::window::{Window2d, check_f32};
use crate::pipeline::{Access, Kernel};

const AVG_SOURCE: &[&str] = &[include_str!("avg_pool.wgsl")];
const AVG_BINDINGS: &[Access] = &[Access::Read, Access::ReadWrite, Access::Read];
const UNPOOL_SOURCE: &[&str] = &[include_str!("max_unpool.wgsl")];
const UNPOOL_BINDINGS: &[Access] = &[
    Access::Read,
    Access::Read,
    Access::ReadWrite,
    Access::ReadWrite,
    Access::Read,
];

const AVG_POOL: Kernel = Kernel {
    family: "pool",
    entry: "avg_pool",
    source: AVG_SOURCE,
    bindings: AVG_BINDINGS,
};

const AVG_UNPOOL: Kernel = Kernel {
    family: "pool",
    entry: "avg_unpool",
    source: AVG_SOURCE,
    bindings: AVG_BINDINGS,
};

const MAX_POOL: Kernel = Kernel {
    family: "pool",
    entry: "max_pool",
    source: &[include_str!("max_pool.wgsl")],
    bindings: &[
        Access::Read,
        Access::ReadWrite,
        Access::ReadWrite,
        Access::Read,
    ],
};

const MAX_POOL_BOUNDS: Kernel = Kernel {
    family: "pool",
    entry: "max_pool_bounds",
    source: UNPOOL_SOURCE,
    bindings: UNPOOL_BINDINGS,
};

const MAX_UNPOOL: Kernel = Kernel {
    family: "pool",
    entry: "max_unpool",
    source: UNPOOL_SOURCE,
    bindings: UNPOOL_BINDINGS,
};

/// Checks that `window` describes a pooling: one channel per plane.
fn check_pool(op: &'static str, window: &Window2d) -> Result<()> {
    window.check(op)?;
    if window.channels != 1 {
        return Err(invalid(
            op,
            format!(
                "a pooling window has one channel per plane, got {}",
                window.channels
            ),
        ));
    }
    Ok(())
}

/// `(x, y)` workgroups for one thread per element of `n`.
fn groups(ctx: &GpuContext, n: usize) -> (u32, u32, u32) {
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    (gx, gy, 1)
}

/// Runs an average-pooling entry with one thread per element of an `n`-element result.
fn run_avg(
    ctx: &GpuContext,
    kernel: &Kernel,
    src: &GpuBuffer,
    window: &Window2d,
    count_include_pad: bool,
    n: usize,
) -> Result<GpuBuffer> {
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let mut params = window.encode();
    params.extend([n as u32, u32::from(count_include_pad)]);
    ctx.run(
        kernel,
        &[("WG", WG_1D)],
        &[src, &out],
        &params,
        groups(ctx, n),
    )?;
    Ok(out)
}

/// Window means of the contiguous f32 planes `x` (`F.avg_pool2d`), giving `[P, OH, OW]`.
/// Windows are clipped to the padded input; the divisor is the clipped window's size when
/// `count_include_pad`, else the number of real input elements in it (an empty window gives
/// 0). `window.dilation` must be 1, as PyTorch's average pooling has none.
pub fn avg_pool2d(
    ctx: &GpuContext,
    x: &GpuBuffer,
    window: &Window2d,
    count_include_pad: bool,
) -> Result<GpuBuffer> {
    const OP: &str = "avg_pool2d";
    check_pool(OP, window)?;
    if window.dilation != [1, 1] {
        return Err(invalid(OP, "average pooling has no dilation"));
    }
    check_f32(OP, x, window.input_len(), "x")?;
    let n = window.batch * window.out_len();
    run_avg(ctx, &AVG_POOL, x, window, count_include_pad, n)
}

/// The backward pass of [`avg_pool2d`] (`aten::avg_pool2d_backward`): each input element
/// gathers `grad / divisor` from every window holding it; `grad` is contiguous f32
/// `[P, OH, OW]`, the result `[P, H, W]`.
pub fn avg_pool2d_backward(
    ctx: &GpuContext,
    grad: &GpuBuffer,
    window: &Window2d,
    count_include_pad: bool,
) -> Result<GpuBuffer> {
    const OP: &str = "avg_pool2d_backward";
    check_pool(OP, window)?;
    if window.dilation != [1, 1] {
        return Err(invalid(OP, "average pooling has no dilation"));
    }
    check_f32(OP, grad, window.batch * window.out_len(), "grad")?;
    let n = window.input_len();
    run_avg(ctx, &AVG_UNPOOL, grad, window, count_include_pad, n)
}

/// Window maxima of the contiguous f32 planes `x` (`F.max_pool2d(..., return_indices=True)`):
/// returns the `[P, OH, OW]` values and, as i32, the flat index `iy·W + ix` of each winner
/// inside its plane. The first maximum in row-major window order wins, a NaN over any number;
/// a window whose taps all fall in the padding gives `-inf` and index -1.
pub fn max_pool2d(
    ctx: &GpuContext,
    x: &GpuBuffer,
    window: &Window2d,
) -> Result<(GpuBuffer, GpuBuffer)> {
    const OP: &str = "max_pool2d";
    check_pool(OP, window)?;
    check_f32(OP, x, window.input_len(), "x")?;
    let n = window.batch * window.out_len();
    let values = ctx.alloc(n, DType::F32)?;
    let indices = ctx.alloc(n, DType::I32)?;
    if n > 0 {
        let mut params = window.encode();
        params.push(n as u32);
        ctx.run(
            &MAX_POOL,
            &[("WG", WG_1D)],
            &[x, &values, &indices],
            &params,
            groups(ctx, n),
        )?;
    }
    Ok((values, indices))
}

/// The backward pass of [`max_pool2d`] (`aten::max_pool2d_with_indices_backward`): each input
/// element sums the `grad` (`[P, OH, OW]`, contiguous f32) of the outputs whose `indices`
/// (contiguous i32, flat `iy·W + ix` inside the plane) name it, giving `[P, H, W]`. Only the
/// sizes of `window` are used: the indices say which element each window picked, and -1 or
/// out-of-range indices route nowhere.
pub fn max_pool2d_backward(
    ctx: &GpuContext,
    grad: &GpuBuffer,
    indices: &GpuBuffer,
    window: &Window2d,
) -> Result<GpuBuffer> {
    const OP: &str = "max_pool2d_backward";
    check_pool(OP, window)?;
    let outputs = window.batch * window.out_len();
    check_f32(OP, grad, outputs, "grad")?;
    if !matches!(indices.dtype(), DType::I32 | DType::U32) {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::I32,
            found: indices.dtype(),
        });
    }
    if indices.len() < outputs {
        return Err(invalid(OP, "indices shorter than grad"));
    }
    let n = window.input_len();
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let [h, w] = window.input;
    let [oh, ow] = window.output;
    let lines = window.batch * (oh + ow);
    let bounds = ctx.alloc(2 * lines.max(1), DType::U32)?;
    let sizes = [window.batch, h, w, oh, ow].map(|v| v as u32);
    for (kernel, threads) in [(&MAX_POOL_BOUNDS, lines), (&MAX_UNPOOL, n)] {
        if threads == 0 {
            continue;
        }
        let mut params = sizes.to_vec();
        params.push(threads as u32);
        ctx.run(
            kernel,
            &[("WG", WG_1D)],
            &[grad, indices, &bounds, &out],
            &params,
            groups(ctx, threads),
        )?;
    }
    Ok(out)
}
