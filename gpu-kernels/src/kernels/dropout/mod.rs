//! Dropout (`torch.nn.functional.dropout` in training mode) and Bernoulli draws
//! (`torch.bernoulli`) with a counter-based RNG.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::pipeline::{Access, Kernel};

const BERNOULLI: Kernel = Kernel {
    family: "dropout",
    entry: "bernoulli",
    source: &[include_str!("dropout.wgsl")],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

const DROPOUT: Kernel = Kernel {
    family: "dropout",
    entry: "dropout",
    source: &[include_str!("dropout.wgsl")],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

/// The keep threshold for drop probability `p`: element `i` survives when its 32 random bits
/// are `>=` this value, so the keep rate is `1 - threshold / 2^32 ≈ 1 - p`.
pub fn dropout_threshold(p: f32) -> u32 {
    (f64::from(p) * 4_294_967_296.0)
        .round()
        .min(f64::from(u32::MAX)) as u32
}

/// Zeroes each element of the contiguous f32 buffer `x` with probability `p` and scales the
/// survivors by `1 / (1 - p)`. The mask depends only on `(seed, element index)`: calling this
/// again on the upstream gradient with the same `seed` and `p` computes the backward pass.
/// `p` must be in `[0, 1]`; `p == 1` gives zeros, `p == 0` a copy.
pub fn dropout(ctx: &GpuContext, x: &GpuBuffer, p: f32, seed: u64) -> Result<GpuBuffer> {
    const OP: &str = "dropout";
    if x.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::F32,
            found: x.dtype(),
        });
    }
    if !(0.0..=1.0).contains(&p) {
        return Err(invalid(OP, format!("probability {p} is outside [0, 1]")));
    }
    let n = x.len();
    if p == 1.0 {
        return ctx.zeros(n, DType::F32);
    }
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let scale = 1.0 / (1.0 - p);
    let params = [
        n as u32,
        seed as u32,
        (seed >> 32) as u32,
        dropout_threshold(p),
        scale.to_bits(),
    ];
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(&DROPOUT, &[("WG", WG_1D)], &[x, &out], &params, (gx, gy, 1))?;
    Ok(out)
}

/// Draws 1.0 with probability `p[i]` and 0.0 otherwise for each element of the contiguous f32
/// buffer `p` (`torch.bernoulli(p)`). The draws are a pure function of `(seed, i)` (the same
/// generator as [`dropout`]), so the same seed gives the same result; probabilities are
/// compared against 24-bit uniforms, and values outside `[0, 1]` act as clamped.
pub fn bernoulli(ctx: &GpuContext, p: &GpuBuffer, seed: u64) -> Result<GpuBuffer> {
    if p.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: "bernoulli",
            expected: DType::F32,
            found: p.dtype(),
        });
    }
    let n = p.len();
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let params = [n as u32, seed as u32, (seed >> 32) as u32];
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &BERNOULLI,
        &[("WG", WG_1D)],
        &[p, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
