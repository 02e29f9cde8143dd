//! Scatter along a dimension with an index tensor of the same rank
//! (`torch.Tensor.scatter` / `scatter_add`), the backward pass of `gather`.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dispatch::WG_1D;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::layout::StridedLayout;
use crate::pipeline::{Access, Kernel};

const SCATTER_DIM: Kernel = Kernel {
    family: "scatter",
    entry: "scatter_dim",
    source: &[
        include_str!("scatter_dim.wgsl"),
        include_str!("../strided.wgsl"),
    ],
    bindings: &[Access::ReadWrite, Access::Read, Access::Read, Access::Read],
};

/// How [`scatter`] combines a source value with the destination element it lands on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScatterMode {
    /// Overwrite (`scatter`); with repeated targets, which write lands is unspecified.
    Assign,
    /// f32 addition (`scatter_add` of floats); repeated targets accumulate in an
    /// unspecified order.
    AddF32,
    /// 32-bit integer addition with wrap-around (`scatter_add` of int32 / int64 values that fit).
    AddInt,
    /// Bitwise OR (`scatter_add` of 0/1 bools).
    Or,
    /// Addition modulo 256 (`scatter_add` of uint8 values held in u32 words).
    AddU8,
}

impl ScatterMode {
    fn code(self) -> u32 {
        match self {
            ScatterMode::Assign => 0,
            ScatterMode::AddF32 => 1,
            ScatterMode::AddInt => 2,
            ScatterMode::Or => 3,
            ScatterMode::AddU8 => 4,
        }
    }
}

/// Returns a copy of the contiguous 32-bit buffer `dst` (shape `dst_shape`) where, for each
/// element `i` of the index view, the element at `i`'s coordinates with coordinate `dim`
/// replaced by `index[i]` receives `src[i]` through `mode` (`dst.scatter(dim, index, src)` /
/// `scatter_add`). `src_layout` is the part of the source read, with the index view's shape;
/// `index` holds i32 or u32. Ranks must agree and every index dim other than `dim` fit in
/// `dst_shape`; out-of-range indices are skipped (the caller validates them).
#[allow(clippy::too_many_arguments)]
pub fn scatter(
    ctx: &GpuContext,
    dst: &GpuBuffer,
    dst_shape: &[usize],
    dim: usize,
    index: &GpuBuffer,
    index_layout: &StridedLayout,
    src: &GpuBuffer,
    src_layout: &StridedLayout,
    mode: ScatterMode,
) -> Result<GpuBuffer> {
    const OP: &str = "scatter";
    if src.dtype().size_bytes() != 4 || dst.dtype() != src.dtype() {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: dst.dtype(),
            found: src.dtype(),
        });
    }
    if mode == ScatterMode::AddF32 && src.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::F32,
            found: src.dtype(),
        });
    }
    if !matches!(index.dtype(), DType::I32 | DType::U32) {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: DType::I32,
            found: index.dtype(),
        });
    }
    let rank = dst_shape.len();
    let shape = &index_layout.shape;
    let fits = shape.len() == rank
        && dim < rank
        && src_layout.shape == *shape
        && (0..rank).all(|k| k == dim || shape[k] <= dst_shape[k]);
    if !fits {
        return Err(invalid(
            OP,
            format!(
                "index view {shape:?} and source view {:?} do not fit a destination of {dst_shape:?} along dim {dim}",
                src_layout.shape
            ),
        ));
    }
    let dst_len: usize = dst_shape.iter().product();
    if dst.len() != dst_len {
        return Err(invalid(
            OP,
            format!(
                "destination of shape {dst_shape:?} needs {dst_len} elements, got {}",
                dst.len()
            ),
        ));
    }
    index_layout.validate(OP, index.len())?;
    src_layout.validate(OP, src.len())?;
    let out = ctx.alloc(dst_len, dst.dtype())?;
    if dst_len > 0 {
        let mut enc = ctx.device().create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(dst.raw(), 0, out.raw(), 0, Some(dst.byte_len()));
        ctx.queue().submit([enc.finish()]);
    }
    let n = index_layout.numel();
    if n == 0 {
        return Ok(out);
    }
    let mut targets = StridedLayout::contiguous(dst_shape);
    let dim_stride = targets.strides[dim];
    targets.strides[dim] = 0;
    targets.shape = shape.clone();
    let mut params = vec![n as u32, dst_shape[dim] as u32, dim_stride as u32];
    params.extend(index_layout.encode());
    params.extend(src_layout.encode());
    params.extend(targets.encode());
    let (gx, gy) = ctx.grid((n as u64).div_ceil(u64::from(WG_1D)));
    ctx.run(
        &SCATTER_DIM,
        &[("WG", WG_1D), ("MODE", mode.code())],
        &[&out, src, index],
        &params,
        (gx, gy, 1),
    )?;
    Ok(out)
}
