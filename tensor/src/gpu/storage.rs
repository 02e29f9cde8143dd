//! [`GpuStorage`] and moving tensors between the host and a GPU (`Tensor.to(device)`).

use std::fmt;
use std::sync::Arc;

use kiln_gpu_kernels::{DType as GpuDType, GpuBuffer};

use crate::device::Device;
use crate::dtype::DType;
use crate::gpu::context::{Gpu, expect_context};
use crate::layout::Layout;
use crate::shape::Shape;
use crate::storage::{CpuStorage, Storage};
use crate::tensor::Tensor;

/// A tensor's elements in a device buffer.
///
/// Floats keep their type (f32, f16, bf16); `int64` is held as i32 (or u32 for the
/// non-negative indices argmax / argmin produce) and `uint8` / `bool` as u32 (0/1 for bool), since WGSL has no 64-bit or 8-bit storage. `float64` cannot be moved
/// to a GPU, as on PyTorch's MPS backend.
pub(crate) struct GpuStorage {
    /// The adapter holding the buffer.
    pub(crate) gpu: Arc<Gpu>,
    /// The elements, in the buffer type [`buffer_dtype`] gives for `dtype`.
    pub(crate) buffer: GpuBuffer,
    /// The tensor's dtype as users see it.
    pub(crate) dtype: DType,
    /// `Device::Gpu(ordinal)`.
    pub(crate) ordinal: usize,
}

// A GPU buffer is never written after the op that made it returns, so a panic cannot leave a
// tensor half-updated; this keeps `Tensor` unwind-safe with the `gpu` feature, as without it.
impl std::panic::RefUnwindSafe for GpuStorage {}
impl std::panic::UnwindSafe for GpuStorage {}

impl fmt::Debug for GpuStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuStorage")
            .field("device", &Device::Gpu(self.ordinal))
            .field("dtype", &self.dtype)
            .field("buffer", &self.buffer)
            .finish()
    }
}

/// The buffer element type holding a tensor of `dtype`; `None` for float64.
pub(crate) fn buffer_dtype(dtype: DType) -> Option<GpuDType> {
    match dtype {
        DType::F32 => Some(GpuDType::F32),
        DType::F16 => Some(GpuDType::F16),
        DType::BF16 => Some(GpuDType::BF16),
        DType::I64 => Some(GpuDType::I32),
        DType::U8 | DType::Bool => Some(GpuDType::U32),
        DType::F64 => None,
    }
}

/// Wraps `buffer` (already of [`buffer_dtype`]`(dtype)`) as a tensor with `layout`.
pub(crate) fn wrap(gpu: &Arc<Gpu>, buffer: GpuBuffer, dtype: DType, layout: Layout) -> Tensor {
    debug_assert!(
        Some(buffer.dtype()) == buffer_dtype(dtype)
            || (dtype == DType::I64 && buffer.dtype() == GpuDType::U32),
        "a {dtype} tensor in a {:?} buffer",
        buffer.dtype()
    );
    Tensor {
        storage: Arc::new(Storage::Gpu(GpuStorage {
            gpu: Arc::clone(gpu),
            buffer,
            dtype,
            ordinal: gpu.ordinal,
        })),
        layout,
    }
}

/// Wraps a contiguous result buffer of `shape`.
pub(crate) fn wrap_contiguous(
    gpu: &Arc<Gpu>,
    buffer: GpuBuffer,
    dtype: DType,
    shape: impl Into<Shape>,
) -> Tensor {
    wrap(gpu, buffer, dtype, Layout::contiguous(shape.into()))
}

/// Unwraps a result of `kiln-gpu-kernels`, panicking with the op name and the device error
/// (device loss, out of memory, a buffer above the binding limit).
pub(crate) fn ok<T>(op: &str, r: kiln_gpu_kernels::Result<T>) -> T {
    r.unwrap_or_else(|e| panic!("{op}: gpu error: {e}"))
}

/// `tensor.to(device)` when either side is a GPU; `None` for a CPU→CPU move.
pub(crate) fn to_device(t: &Tensor, device: &Device) -> Option<Tensor> {
    let from = t.device();
    if from == *device {
        return (!from.is_cpu()).then(|| t.clone());
    }
    let host = match &*t.storage {
        Storage::Gpu(g) => download(g, &t.layout),
        Storage::Cpu(_) => t.clone(),
    };
    Some(match device {
        Device::Cpu => host,
        Device::Gpu(n) => upload(&host, *n),
    })
}

/// Copies a host tensor to `Device::Gpu(ordinal)` as a contiguous buffer.
fn upload(t: &Tensor, ordinal: usize) -> Tensor {
    let gpu = expect_context(ordinal);
    let ctx = &gpu.ctx;
    let t = t.contiguous();
    let buffer = match t.dtype() {
        DType::F32 => ctx.upload(&t.to_vec::<f32>()),
        DType::F16 => ctx.upload(&t.to_vec::<half::f16>()),
        DType::BF16 => ctx.upload(&t.to_vec::<half::bf16>()),
        DType::I64 => {
            let values: Vec<i32> = t
                .to_vec::<i64>()
                .into_iter()
                .map(|v| {
                    i32::try_from(v).unwrap_or_else(|_| {
                        panic!("to_device: int64 value {v} does not fit the gpu's 32-bit integers")
                    })
                })
                .collect();
            ctx.upload(&values)
        }
        DType::U8 => ctx.upload(
            &t.to_vec::<u8>()
                .into_iter()
                .map(u32::from)
                .collect::<Vec<_>>(),
        ),
        DType::Bool => ctx.upload(
            &t.to_vec::<bool>()
                .into_iter()
                .map(u32::from)
                .collect::<Vec<_>>(),
        ),
        DType::F64 => panic!(
            "to_device: float64 tensors are not supported on gpu:{ordinal} (WGSL has no f64); \
             convert with to_dtype(DType::F32) first"
        ),
    };
    let buffer = ok("to_device", buffer);
    wrap_contiguous(&gpu, buffer, t.dtype(), t.shape().clone())
}

/// Reads the whole buffer back and applies `layout` on the host, so views stay views until here.
fn download(g: &GpuStorage, layout: &Layout) -> Tensor {
    let ctx = &g.gpu.ctx;
    let b = &g.buffer;
    let storage = match g.dtype {
        DType::F32 => CpuStorage::F32(ok("to_device", ctx.to_vec::<f32>(b))),
        DType::F16 => CpuStorage::F16(ok("to_device", ctx.to_vec::<half::f16>(b))),
        DType::BF16 => CpuStorage::BF16(ok("to_device", ctx.to_vec::<half::bf16>(b))),
        // Indices from argmax / argmin arrive as u32, everything else as i32.
        DType::I64 if b.dtype() == GpuDType::U32 => CpuStorage::I64(
            ok("to_device", ctx.to_vec::<u32>(b))
                .into_iter()
                .map(i64::from)
                .collect(),
        ),
        DType::I64 => CpuStorage::I64(
            ok("to_device", ctx.to_vec::<i32>(b))
                .into_iter()
                .map(i64::from)
                .collect(),
        ),
        DType::U8 => CpuStorage::U8(
            ok("to_device", ctx.to_vec::<u32>(b))
                .into_iter()
                .map(|v| v as u8)
                .collect(),
        ),
        DType::Bool => CpuStorage::Bool(
            ok("to_device", ctx.to_vec::<u32>(b))
                .into_iter()
                .map(|v| v != 0)
                .collect(),
        ),
        DType::F64 => unreachable!("float64 never reaches a gpu buffer"),
    };
    Tensor {
        storage: Arc::new(Storage::Cpu(storage)),
        layout: layout.clone(),
    }
    .contiguous()
}
