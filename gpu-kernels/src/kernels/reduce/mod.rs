//! Reductions over one dimension (`torch.sum(dim)`, `mean`, `amax`, `amin`, `argmax`,
//! `argmin`, `prod`).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const REDUCE: Kernel = Kernel {
    family: "reduce",
    entry: "reduce",
    source: &[include_str!("reduce.wgsl"), include_str!("../strided.wgsl")],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

/// Threads per output element.
const WG: u32 = 128;

/// A reduction over one dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReduceOp {
    /// `torch.sum(x, dim)`.
    Sum,
    /// `torch.mean(x, dim)`.
    Mean,
    /// `torch.amax(x, dim)` (NaN propagates).
    Max,
    /// `torch.amin(x, dim)` (NaN propagates).
    Min,
    /// `torch.argmax(x, dim)`: u32 index of the first maximum (NaN counts as maximal).
    Argmax,
    /// `torch.argmin(x, dim)`: u32 index of the first minimum (NaN counts as minimal).
    Argmin,
    /// `torch.prod(x, dim)` (1 over an empty dimension).
    Prod,
}

impl ReduceOp {
    fn code(self) -> u32 {
        match self {
            ReduceOp::Sum => 0,
            ReduceOp::Mean => 1,
            ReduceOp::Max => 2,
            ReduceOp::Min => 3,
            ReduceOp::Argmax => 4,
            ReduceOp::Argmin => 5,
            ReduceOp::Prod => 6,
        }
    }
}

/// Reduces dimension `dim` of the f32 view `layout` of `x`. The result is contiguous with the
/// shape of `layout` minus `dim` (`keepdim=False`; keeping it is a reshape for the caller);
/// f32 except for `Argmax` / `Argmin`, which give u32. Max/min/argmax/argmin over an empty
/// dimension are an error, as in PyTorch; sum gives 0, prod 1 and mean NaN.
pub fn reduce(
    ctx: &GpuContext,
    op: ReduceOp,
    x: &GpuBuffer,
    layout: &StridedLayout,
    dim: usize,
) -> Result<GpuBuffer> {
    const OP: &str = "reduce";
    if x.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::F32,
            found: x.dtype(),
        });
    }
    layout.validate(OP, x.len())?;
    if dim >= layout.shape.len() {
        return Err(invalid(
            OP,
            format!("dim {dim} out of range for shape {:?}", layout.shape),
        ));
    }
    let len = layout.shape[dim];
    let stride = layout.strides[dim];
    let mut outer = layout.clone();
    outer.shape.remove(dim);
    outer.strides.remove(dim);
    let n_out = outer.numel();
    if len == 0 && !matches!(op, ReduceOp::Sum | ReduceOp::Mean | ReduceOp::Prod) {
        return Err(invalid(OP, format!("{op:?} over an empty dimension")));
    }
    let out_dtype = match op {
        ReduceOp::Argmax | ReduceOp::Argmin => DType::U32,
        _ => DType::F32,
    };
    let out = ctx.alloc(n_out, out_dtype)?;
    if n_out == 0 {
        return Ok(out);
    }
    let mut params = vec![n_out as u32, len as u32, stride as u32];
    params.extend(outer.encode());
    let (gx, gy) = ctx.grid(n_out as u64);
    ctx.run(
        &REDUCE,
        &[("WG", WG), ("OP", op.code())],
        &[x, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
