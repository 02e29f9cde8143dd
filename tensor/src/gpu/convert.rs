//! dtype conversions (`Tensor.to(dtype)`) and copies of strided views (`Tensor.contiguous`).

use std::sync::Arc;

use kiln_gpu_kernels::{
    DType as GpuDType, GpuBuffer, StridedLayout, cast, contiguous as copy, wgpu,
};

use crate::dtype::DType;
use crate::gpu::context::Gpu;
use crate::gpu::storage::{buffer_dtype, ok, wrap, wrap_contiguous};
use crate::gpu::{gpu_storage, strided};
use crate::tensor::Tensor;

/// Threads per workgroup of `convert.wgsl`.
const WG: u32 = 256;

/// The integer/float conversions of `convert.wgsl`.
#[derive(Clone, Copy)]
enum Mode {
    I32ToF32 = 0,
    U32ToF32 = 1,
    F32ToI32 = 2,
    F32ToBool = 3,
    F32ToU8 = 4,
}

/// Runs one `convert.wgsl` pass over every element of `x`.
fn run_convert(gpu: &Gpu, x: &GpuBuffer, mode: Mode, out: GpuDType) -> GpuBuffer {
    let ctx = &gpu.ctx;
    let dst = ok("to_dtype", ctx.alloc(x.len(), out));
    if x.is_empty() {
        return dst;
    }
    let pipeline = gpu.convert.get_or_init(|| {
        ok(
            "to_dtype",
            ctx.compile_wgsl(
                "kiln-tensor convert",
                include_str!("convert.wgsl"),
                "convert",
            ),
        )
    });
    let groups = (x.len() as u64).div_ceil(u64::from(WG));
    let max = u64::from(ctx.limits().max_compute_workgroups_per_dimension.max(1));
    let gy = groups.div_ceil(max);
    let gx = groups.div_ceil(gy);
    let params = [x.len() as u32, mode as u32, (gx as u32) * WG];
    let params = ok("to_dtype", ctx.upload(&params));
    let bind = ctx.device().create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("kiln-tensor convert"),
        layout: &pipeline.get_bind_group_layout(0),
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: x.raw().as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: dst.raw().as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: params.raw().as_entire_binding(),
            },
        ],
    });
    let mut enc = ctx.device().create_command_encoder(&Default::default());
    {
        let mut pass = enc.begin_compute_pass(&Default::default());
        pass.set_pipeline(pipeline);
        pass.set_bind_group(0, &bind, &[]);
        pass.dispatch_workgroups(gx as u32, gy as u32, 1);
    }
    ctx.queue().submit([enc.finish()]);
    dst
}

/// `x` (holding a tensor of `from`) converted element by element to f32.
pub(crate) fn buffer_to_f32(gpu: &Gpu, x: &GpuBuffer, from: DType) -> GpuBuffer {
    match x.dtype() {
        GpuDType::I32 => run_convert(gpu, x, Mode::I32ToF32, GpuDType::F32),
        GpuDType::U32 => run_convert(gpu, x, Mode::U32ToF32, GpuDType::F32),
        _ => {
            debug_assert!(from.is_float());
            ok("to_dtype", cast(&gpu.ctx, x, GpuDType::F32))
        }
    }
}

/// An f32 buffer converted element by element to the buffer type of `to`.
pub(crate) fn buffer_from_f32(gpu: &Gpu, x: &GpuBuffer, to: DType) -> GpuBuffer {
    match to {
        DType::F32 | DType::F16 | DType::BF16 => {
            let target = buffer_dtype(to).expect("float dtypes have a buffer type");
            ok("to_dtype", cast(&gpu.ctx, x, target))
        }
        DType::I64 => run_convert(gpu, x, Mode::F32ToI32, GpuDType::I32),
        DType::Bool => run_convert(gpu, x, Mode::F32ToBool, GpuDType::U32),
        DType::U8 => run_convert(gpu, x, Mode::F32ToU8, GpuDType::U32),
        DType::F64 => panic!(
            "to_dtype: float64 is not supported on gpu:{} (WGSL has no f64)",
            gpu.ordinal
        ),
    }
}

/// `Tensor.to(dtype)` for a GPU tensor: converts the whole buffer and keeps the layout, so a
/// view converts to the same view. Integer results of floats truncate toward zero; anything to
/// bool is `!= 0`, as on the CPU.
pub(crate) fn to_dtype(t: &Tensor, dtype: DType) -> Option<Tensor> {
    let g = gpu_storage(t)?;
    if g.dtype == dtype {
        return Some(t.clone());
    }
    let gpu = &g.gpu;
    let buffer = if g.dtype.is_float() && dtype.is_float() {
        let target = buffer_dtype(dtype)
            .unwrap_or_else(|| panic!("to_dtype: float64 is not supported on gpu:{}", gpu.ordinal));
        ok("to_dtype", cast(&gpu.ctx, &g.buffer, target))
    } else if matches!((g.dtype, dtype), (DType::Bool, DType::U8)) {
        // Both are u32 0/1.
        g.buffer.clone()
    } else {
        let f = buffer_to_f32(gpu, &g.buffer, g.dtype);
        buffer_from_f32(gpu, &f, dtype)
    };
    Some(wrap(gpu, buffer, dtype, t.layout.clone()))
}

/// `Tensor.contiguous()` for a GPU tensor: `self` when already row-major over its whole
/// buffer, else a strided copy.
pub(crate) fn contiguous(t: &Tensor) -> Option<Tensor> {
    let g = gpu_storage(t)?;
    if t.layout.is_contiguous() && t.layout.offset() == 0 && t.numel() == g.buffer.len() {
        return Some(t.clone());
    }
    let out = ok("contiguous", copy(&g.gpu.ctx, &g.buffer, &strided(t)));
    Some(wrap_contiguous(&g.gpu, out, g.dtype, t.shape().clone()))
}

/// The tensor's elements as an f32 buffer with its layout (f16 / bf16 / integers converted).
pub(crate) fn f32_operand(t: &Tensor) -> (Arc<Gpu>, GpuBuffer, StridedLayout) {
    let g = gpu_storage(t).expect("f32_operand: a gpu tensor");
    let buffer = if g.dtype == DType::F32 {
        g.buffer.clone()
    } else {
        buffer_to_f32(&g.gpu, &g.buffer, g.dtype)
    };
    (Arc::clone(&g.gpu), buffer, strided(t))
}

/// Wraps an f32 result as a contiguous tensor of `dtype` and `shape`.
pub(crate) fn from_f32(
    gpu: &Arc<Gpu>,
    buffer: GpuBuffer,
    dtype: DType,
    shape: impl Into<crate::shape::Shape>,
) -> Tensor {
    let buffer = if dtype == DType::F32 {
        buffer
    } else {
        buffer_from_f32(gpu, &buffer, dtype)
    };
    wrap_contiguous(gpu, buffer, dtype, shape)
}
