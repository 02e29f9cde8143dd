//! Prefix sums along a dimension (`torch.cumsum`).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const CUMSUM: Kernel = Kernel {
    family: "scan",
    entry: "cumsum",
    source: &[include_str!("scan.wgsl"), include_str!("../strided.wgsl")],
    bindings: &[Access::Read, Access::ReadWrite, Access::Read],
};

/// Inclusive running sums along `dim` of the view `layout` of `x` (`torch.cumsum(x, dim)`),
/// as a new contiguous buffer of the view's shape. f32 input gives f32 (compensated f32
/// summation, in index order); i32 / u32 input gives i32 with 32-bit wrap-around. Each lane
/// along `dim` is one invocation, so long scans over few lanes run mostly serially.
pub fn cumsum(
    ctx: &GpuContext,
    x: &GpuBuffer,
    layout: &StridedLayout,
    dim: usize,
) -> Result<GpuBuffer> {
    const OP: &str = "cumsum";
    let (int, out_dtype) = match x.dtype() {
        DType::F32 => (0, DType::F32),
        DType::I32 | DType::U32 => (1, DType::I32),
        other => {
            return Err(GpuError::DTypeMismatch {
                op: OP,
                expected: DType::F32,
                found: other,
            });
        }
    };
    layout.validate(OP, x.len())?;
    if dim >= layout.shape.len() {
        return Err(invalid(
            OP,
            format!("dim {dim} out of range for shape {:?}", layout.shape),
        ));
    }
    let n = layout.numel();
    let out = ctx.alloc(n, out_dtype)?;
    if n == 0 {
        return Ok(out);
    }
    let len = layout.shape[dim];
    let inner: usize = layout.shape[dim + 1..].iter().product();
    let mut lanes = layout.clone();
    lanes.shape.remove(dim);
    lanes.strides.remove(dim);
    let n_lanes = lanes.numel();
    let mut params = vec![
        n_lanes as u32,
        len as u32,
        layout.strides[dim] as u32,
        inner as u32,
    ];
    params.extend(lanes.encode());
    let (gx, gy) = ctx.grid((n_lanes as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &CUMSUM,
        &[("WG", WG_1D), ("INT", int)],
        &[x, &out],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
