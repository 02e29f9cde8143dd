//! Typed element buffers behind tensors.

use half::{bf16, f16};

use crate::device::Device;
use crate::dtype::DType;

/// Host-memory elements of one dtype. Shared between tensors through an `Arc`; never mutated
/// after creation, so views stay valid.
#[derive(Clone, Debug, PartialEq)]
pub enum CpuStorage {
    /// `float32` elements.
    F32(Vec<f32>),
    /// `float64` elements.
    F64(Vec<f64>),
    /// `float16` elements.
    F16(Vec<f16>),
    /// `bfloat16` elements.
    BF16(Vec<bf16>),
    /// `int64` elements.
    I64(Vec<i64>),
    /// `uint8` elements.
    U8(Vec<u8>),
    /// `bool` elements.
    Bool(Vec<bool>),
}

impl CpuStorage {
    /// The dtype of the elements.
    pub fn dtype(&self) -> DType {
        match self {
            CpuStorage::F32(_) => DType::F32,
            CpuStorage::F64(_) => DType::F64,
            CpuStorage::F16(_) => DType::F16,
            CpuStorage::BF16(_) => DType::BF16,
            CpuStorage::I64(_) => DType::I64,
            CpuStorage::U8(_) => DType::U8,
            CpuStorage::Bool(_) => DType::Bool,
        }
    }

    /// Number of elements held.
    pub fn len(&self) -> usize {
        match self {
            CpuStorage::F32(v) => v.len(),
            CpuStorage::F64(v) => v.len(),
            CpuStorage::F16(v) => v.len(),
            CpuStorage::BF16(v) => v.len(),
            CpuStorage::I64(v) => v.len(),
            CpuStorage::U8(v) => v.len(),
            CpuStorage::Bool(v) => v.len(),
        }
    }

    /// True when no elements are held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A tensor's data on some device.
#[derive(Debug)]
pub(crate) enum Storage {
    /// Host memory.
    Cpu(CpuStorage),
    /// A buffer on a wgpu adapter.
    #[cfg(feature = "gpu")]
    Gpu(crate::gpu::GpuStorage),
}

impl CpuStorage {
    /// Hands the elements to the buffer cache (see [`crate::cpu::buffer_pool`]), leaving this
    /// storage empty.
    fn recycle(&mut self) {
        use crate::cpu::buffer_pool::recycle;
        match self {
            CpuStorage::F32(v) => recycle(std::mem::take(v)),
            CpuStorage::F64(v) => recycle(std::mem::take(v)),
            CpuStorage::F16(v) => recycle(std::mem::take(v)),
            CpuStorage::BF16(v) => recycle(std::mem::take(v)),
            CpuStorage::I64(v) => recycle(std::mem::take(v)),
            CpuStorage::U8(v) => recycle(std::mem::take(v)),
            CpuStorage::Bool(v) => recycle(std::mem::take(v)),
        }
    }
}

/// The last tensor sharing a storage is gone: large host buffers go back to the cache.
impl Drop for Storage {
    fn drop(&mut self) {
        match self {
            Storage::Cpu(s) => s.recycle(),
            #[cfg(feature = "gpu")]
            Storage::Gpu(_) => {}
        }
    }
}

impl Storage {
    pub(crate) fn dtype(&self) -> DType {
        match self {
            Storage::Cpu(s) => s.dtype(),
            #[cfg(feature = "gpu")]
            Storage::Gpu(g) => g.dtype,
        }
    }

    pub(crate) fn device(&self) -> Device {
        match self {
            Storage::Cpu(_) => Device::Cpu,
            #[cfg(feature = "gpu")]
            Storage::Gpu(g) => Device::Gpu(g.ordinal),
        }
    }
}

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype`.
macro_rules! with_dtype {
    ($dtype:expr, $T:ident, $body:block) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            $crate::dtype::DType::F16 => {
                type $T = half::f16;
                $body
            }
            $crate::dtype::DType::BF16 => {
                type $T = half::bf16;
                $body
            }
            $crate::dtype::DType::I64 => {
                type $T = i64;
                $body
            }
            $crate::dtype::DType::U8 => {
                type $T = u8;
                $body
            }
            $crate::dtype::DType::Bool => {
                type $T = bool;
                $body
            }
        }
    };
}
pub(crate) use with_dtype;
