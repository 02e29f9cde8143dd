//! Layer normalisation over the last dimension, forward and backward
//! (`torch.nn.functional.layer_norm` and its autograd formula).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::pipeline::{Access, Kernel};

use Access::{Read, ReadWrite};

const SOURCE: &[&str] = &[include_str!("layer_norm.wgsl")];

const FORWARD: Kernel = Kernel {
    family: "layer_norm",
    entry: "forward",
    source: SOURCE,
    bindings: &[Read, Read, Read, ReadWrite, ReadWrite, ReadWrite, Read],
};

const BACKWARD_INPUT: Kernel = Kernel {
    family: "layer_norm",
    entry: "backward_input",
    source: SOURCE,
    bindings: &[Read, Read, Read, Read, Read, ReadWrite, Read],
};

const BACKWARD_PARAMS: Kernel = Kernel {
    family: "layer_norm",
    entry: "backward_params",
    source: SOURCE,
    bindings: &[Read, Read, Read, Read, ReadWrite, ReadWrite, Read],
};

/// Threads per row.
const WG: u32 = 256;

/// Outputs of [`layer_norm`]: the normalised rows and the per-row statistics the backward
/// pass needs (as PyTorch's `native_layer_norm` returns them).
#[derive(Debug, Clone)]
pub struct LayerNormOutput {
    /// `[rows, cols]` result.
    pub y: GpuBuffer,
    /// `[rows]` means.
    pub mean: GpuBuffer,
    /// `[rows]` reciprocal standard deviations `1 / sqrt(var + eps)` (biased variance).
    pub rstd: GpuBuffer,
}

/// Gradients from [`layer_norm_backward`].
#[derive(Debug, Clone)]
pub struct LayerNormGrads {
    /// `[rows, cols]` gradient of the input.
    pub dx: GpuBuffer,
    /// `[cols]` gradient of gamma (computed whether or not gamma was given).
    pub dgamma: GpuBuffer,
    /// `[cols]` gradient of beta.
    pub dbeta: GpuBuffer,
}

fn check_f32(op: &'static str, b: &GpuBuffer, min_len: usize, what: &str) -> Result<()> {
    if b.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op,
            expected: DType::F32,
            found: b.dtype(),
        });
    }
    if b.len() < min_len {
        return Err(invalid(
            op,
            format!("{what} has {} elements, needs {min_len}", b.len()),
        ));
    }
    Ok(())
}

/// Normalises each row of the contiguous f32 `[rows, cols]` matrix `x`, then scales by
/// `gamma` and shifts by `beta` (each `[cols]`, optional: `elementwise_affine`).
pub fn layer_norm(
    ctx: &GpuContext,
    x: &GpuBuffer,
    gamma: Option<&GpuBuffer>,
    beta: Option<&GpuBuffer>,
    rows: usize,
    cols: usize,
    eps: f32,
) -> Result<LayerNormOutput> {
    const OP: &str = "layer_norm";
    let n = rows
        .checked_mul(cols)
        .ok_or_else(|| invalid(OP, "size overflow"))?;
    check_f32(OP, x, n, "x")?;
    for (b, name) in [(gamma, "gamma"), (beta, "beta")] {
        if let Some(b) = b {
            check_f32(OP, b, cols, name)?;
        }
    }
    let out = LayerNormOutput {
        y: ctx.alloc(n, DType::F32)?,
        mean: ctx.alloc(rows, DType::F32)?,
        rstd: ctx.alloc(rows, DType::F32)?,
    };
    if n == 0 {
        return Ok(out);
    }
    let params = [
        rows as u32,
        cols as u32,
        eps.to_bits(),
        u32::from(gamma.is_some()),
        u32::from(beta.is_some()),
    ];
    // An absent gamma/beta binds `x` in its slot; the kernel never reads it.
    let (gx, gy) = ctx.grid(rows as u64);
    ctx.run(
        &FORWARD,
        &[("WG", WG)],
        &[
            x,
            gamma.unwrap_or(x),
            beta.unwrap_or(x),
            &out.y,
            &out.mean,
            &out.rstd,
        ],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}

/// Gradients of [`layer_norm`] given the upstream gradient `dy` (`[rows, cols]`), the input
/// `x`, the saved `mean` / `rstd` and the `gamma` used in the forward pass.
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    ctx: &GpuContext,
    dy: &GpuBuffer,
    x: &GpuBuffer,
    mean: &GpuBuffer,
    rstd: &GpuBuffer,
    gamma: Option<&GpuBuffer>,
    rows: usize,
    cols: usize,
) -> Result<LayerNormGrads> {
    const OP: &str = "layer_norm_backward";
    let n = rows
        .checked_mul(cols)
        .ok_or_else(|| invalid(OP, "size overflow"))?;
    check_f32(OP, dy, n, "dy")?;
    check_f32(OP, x, n, "x")?;
    check_f32(OP, mean, rows, "mean")?;
    check_f32(OP, rstd, rows, "rstd")?;
    if let Some(g) = gamma {
        check_f32(OP, g, cols, "gamma")?;
    }
    let col_groups = cols.div_ceil(64) as u64;
    if col_groups > u64::from(ctx.limits().max_compute_workgroups_per_dimension) {
        return Err(invalid(
            OP,
            format!("{cols} columns exceed the dispatch limit"),
        ));
    }
    let grads = LayerNormGrads {
        dx: ctx.alloc(n, DType::F32)?,
        dgamma: ctx.zeros(cols, DType::F32)?,
        dbeta: ctx.zeros(cols, DType::F32)?,
    };
    if n == 0 {
        return Ok(grads);
    }
    let (gx, gy) = ctx.grid(rows as u64);
    ctx.run(
        &BACKWARD_INPUT,
        &[("WG", WG)],
        &[x, dy, mean, rstd, gamma.unwrap_or(x), &grads.dx],
        &[rows as u32, cols as u32, u32::from(gamma.is_some())],
        (gx, gy, 1),
    )?;
    ctx.run(
        &BACKWARD_PARAMS,
        &[("WG", WG)],
        &[x, dy, mean, rstd, &grads.dgamma, &grads.dbeta],
        &[rows as u32, cols as u32],
        (col_groups as u32, 1, 1),
    )?;
    Ok(grads)
}
