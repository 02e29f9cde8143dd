//! Elementwise unary functions on strided f32 views (`torch.neg`, `torch.exp`,
//! `torch.nn.functional.gelu`, ...).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const UNARY: Kernel = Kernel {
    family: "unary",
    entry: "unary",
    source: &[
        include_str!("unary.wgsl"),
        include_str!("../math.wgsl"),
        include_str!("../strided.wgsl"),
    ],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

/// An elementwise f32 function; the PyTorch name is given on each variant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UnaryOp {
    /// `torch.neg`.
    Neg,
    /// `torch.abs`.
    Abs,
    /// `torch.exp`.
    Exp,
    /// `torch.log` (natural).
    Log,
    /// `torch.sqrt`.
    Sqrt,
    /// `torch.rsqrt`.
    Rsqrt,
    /// `torch.sin`.
    Sin,
    /// `torch.cos`.
    Cos,
    /// `torch.tanh`.
    Tanh,
    /// `torch.sigmoid`.
    Sigmoid,
    /// `torch.relu`.
    Relu,
    /// `F.gelu(x)` (exact, erf form; erf to 1.5e-7).
    Gelu,
    /// `F.gelu(x, approximate="tanh")`.
    GeluTanh,
    /// `F.silu` (x · sigmoid(x)).
    Silu,
    /// `torch.square`.
    Square,
    /// `torch.reciprocal`.
    Recip,
    /// `torch.floor`.
    Floor,
    /// `torch.ceil`.
    Ceil,
    /// `torch.round` (half to even).
    Round,
    /// `torch.sign`.
    Sign,
    /// `torch.log1p`.
    Log1p,
    /// `torch.expm1`.
    Expm1,
    /// `F.softplus` (beta 1).
    Softplus,
    /// `torch.erf`.
    Erf,
    /// `F.leaky_relu(x, negative_slope)`.
    LeakyRelu(f32),
    /// `F.elu(x, alpha)`.
    Elu(f32),
    /// `x + s` for a scalar `s`.
    AddScalar(f32),
    /// `x * s` for a scalar `s`.
    MulScalar(f32),
    /// `torch.pow(x, e)` for a scalar exponent.
    PowScalar(f32),
    /// `torch.clamp(x, min, max)`.
    Clamp(f32, f32),
}

impl UnaryOp {
    /// The op code in `unary.wgsl` and its two scalar parameters.
    fn code(self) -> (u32, f32, f32) {
        use UnaryOp::*;
        match self {
            Neg => (0, 0.0, 0.0),
            Abs => (1, 0.0, 0.0),
            Exp => (2, 0.0, 0.0),
            Log => (3, 0.0, 0.0),
            Sqrt => (4, 0.0, 0.0),
            Rsqrt => (5, 0.0, 0.0),
            Sin => (6, 0.0, 0.0),
            Cos => (7, 0.0, 0.0),
            Tanh => (8, 0.0, 0.0),
            Sigmoid => (9, 0.0, 0.0),
            Relu => (10, 0.0, 0.0),
            Gelu => (11, 0.0, 0.0),
            GeluTanh => (12, 0.0, 0.0),
            Silu => (13, 0.0, 0.0),
            Square => (14, 0.0, 0.0),
            Recip => (15, 0.0, 0.0),
            Floor => (16, 0.0, 0.0),
            Ceil => (17, 0.0, 0.0),
            Round => (18, 0.0, 0.0),
            Sign => (19, 0.0, 0.0),
            Log1p => (20, 0.0, 0.0),
            Expm1 => (21, 0.0, 0.0),
            Softplus => (22, 0.0, 0.0),
            Erf => (23, 0.0, 0.0),
            LeakyRelu(s) => (24, s, 0.0),
            Elu(a) => (25, a, 0.0),
            AddScalar(s) => (26, s, 0.0),
            MulScalar(s) => (27, s, 0.0),
            PowScalar(e) => (28, e, 0.0),
            Clamp(lo, hi) => (29, lo, hi),
        }
    }
}

/// Applies `op` to every element of the f32 view `layout` of `x`; returns a contiguous buffer
/// of `layout.numel()` elements in row-major order of `layout.shape`.
pub fn unary(
    ctx: &GpuContext,
    op: UnaryOp,
    x: &GpuBuffer,
    layout: &StridedLayout,
) -> Result<GpuBuffer> {
    if x.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: "unary",
            expected: DType::F32,
            found: x.dtype(),
        });
    }
    layout.validate("unary", x.len())?;
    let n = layout.numel();
    let out = ctx.alloc(n, DType::F32)?;
    if n == 0 {
        return Ok(out);
    }
    let (code, p0, p1) = op.code();
    let mut params = vec![n as u32, p0.to_bits(), p1.to_bits()];
    params.extend(layout.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &UNARY,
        &[
            ("WG", WG_1D),
            ("OP", code),
            ("CONTIG", u32::from(layout.is_contiguous())),
        ],
        &[x, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
