//! Element-type conversions f32 ↔ f16 ↔ bf16 (`torch.Tensor.to(dtype)`).
//!
//! 16-bit buffers are packed two per word, so these kernels need no `SHADER_F16`; they work on
//! bits and round to nearest, ties to even, exactly as `half::f16::from_f32` does.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{Result, invalid};
use crate::pipeline::{Access, Kernel};

const BINDINGS: &[Access] = &[Access::Read, Access::ReadWrite, Access::Read];

const fn kernel(entry: &'static str) -> Kernel {
    Kernel {
        family: "cast",
        entry,
        source: &[include_str!("cast.wgsl")],
        bindings: BINDINGS,
    }
}

const F16_TO_F32: Kernel = kernel("f16_to_f32");
const BF16_TO_F32: Kernel = kernel("bf16_to_f32");
const TO_16BIT: Kernel = kernel("to_16bit");

fn code(d: DType) -> u32 {
    match d {
        DType::F16 => 1,
        DType::BF16 => 2,
        _ => 0,
    }
}

/// Converts a float buffer to `to` (one of f32, f16, bf16), returning a new buffer of the same
/// length. Converting to the buffer's own type returns a handle to the same allocation.
pub fn cast(ctx: &GpuContext, x: &GpuBuffer, to: DType) -> Result<GpuBuffer> {
    let from = x.dtype();
    let float = |d: DType| matches!(d, DType::F32 | DType::F16 | DType::BF16);
    if !float(from) || !float(to) {
        return Err(invalid(
            "cast",
            format!("only f32/f16/bf16 conversions are supported, not {from:?} -> {to:?}"),
        ));
    }
    if from == to {
        return Ok(x.clone());
    }
    let n = x.len();
    let out = ctx.alloc(n, to)?;
    if n == 0 {
        return Ok(out);
    }
    let (kernel, threads) = match to {
        DType::F32 if from == DType::F16 => (&F16_TO_F32, n as u64),
        DType::F32 => (&BF16_TO_F32, n as u64),
        _ => (&TO_16BIT, (n as u64).div_ceil(2)),
    };
    let (gx, gy) = ctx.grid(threads.div_ceil(u64::from(WG_1D)));
    ctx.run(
        kernel,
        &[("WG", WG_1D), ("SRC", code(from)), ("DST", code(to))],
        &[x, &out],
        &[n as u32],
        (gx, gy, 1),
    )?;
    Ok(out)
}
