//! Elementwise binary operations with broadcasting (`torch.add`, `torch.mul`, `torch.maximum`,
//! `torch.lt`, ...).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result};
use crate::layout::{StridedLayout, broadcast_shapes};
use crate::pipeline::{Access, Kernel};

const BINARY: Kernel = Kernel {
    family: "binary",
    entry: "binary",
    source: &[
        include_str!("binary.wgsl"),
        include_str!("../math.wgsl"),
        include_str!("../strided.wgsl"),
    ],
    bindings: &[Access::Read, Access::Read, Access::ReadWrite, Access::Read],
};

/// A binary f32 operation. Arithmetic ops give f32; comparisons give u32 0/1 masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `torch.add`.
    Add,
    /// `torch.sub`.
    Sub,
    /// `torch.mul`.
    Mul,
    /// `torch.div` (true division).
    Div,
    /// `torch.pow` (negative bases with integral exponents as in C `pow`).
    Pow,
    /// `torch.maximum` (NaN propagates).
    Maximum,
    /// `torch.minimum` (NaN propagates).
    Minimum,
    /// `torch.remainder` (result has the divisor's sign).
    Remainder,
    /// `torch.eq`.
    Eq,
    /// `torch.ne`.
    Ne,
    /// `torch.lt`.
    Lt,
    /// `torch.le`.
    Le,
    /// `torch.gt`.
    Gt,
    /// `torch.ge`.
    Ge,
}

impl BinaryOp {
    fn code(self) -> u32 {
        use BinaryOp::*;
        match self {
            Add => 0,
            Sub => 1,
            Mul => 2,
            Div => 3,
            Pow => 4,
            Maximum => 5,
            Minimum => 6,
            Eq => 7,
            Ne => 8,
            Lt => 9,
            Le => 10,
            Gt => 11,
            Ge => 12,
            Remainder => 13,
        }
    }

    /// Whether the result is a u32 0/1 mask rather than f32.
    pub fn is_comparison(self) -> bool {
        (7..=12).contains(&self.code())
    }
}

/// Computes `op` elementwise on the f32 views `a_layout` of `a` and `b_layout` of `b`,
/// broadcasting their shapes as PyTorch does. Returns the contiguous result and its shape.
pub fn binary(
    ctx: &GpuContext,
    op: BinaryOp,
    a: &GpuBuffer,
    a_layout: &StridedLayout,
    b: &GpuBuffer,
    b_layout: &StridedLayout,
) -> Result<(GpuBuffer, Vec<usize>)> {
    for buf in [a, b] {
        if buf.dtype() != DType::F32 {
            return Err(GpuError::DTypeMismatch {
                op: "binary",
                expected: DType::F32,
                found: buf.dtype(),
            });
        }
    }
    a_layout.validate("binary", a.len())?;
    b_layout.validate("binary", b.len())?;
    let shape = broadcast_shapes(&a_layout.shape, &b_layout.shape)?;
    let la = a_layout.broadcast_to(&shape)?;
    let lb = b_layout.broadcast_to(&shape)?;
    let n: usize = shape.iter().product();
    let out_dtype = if op.is_comparison() {
        DType::U32
    } else {
        DType::F32
    };
    let out = ctx.alloc(n, out_dtype)?;
    if n == 0 {
        return Ok((out, shape));
    }
    let mut params = vec![n as u32];
    params.extend(la.encode());
    params.extend(lb.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &BINARY,
        &[("WG", WG_1D), ("OP", op.code())],
        &[a, b, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok((out, shape))
}
