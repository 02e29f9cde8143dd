//! Element types a [`GpuBuffer`](crate::GpuBuffer) can hold.

use half::{bf16, f16};

/// Element type tag of a GPU buffer.
///
/// 16-bit types are stored packed, two elements per 32-bit word (little end first), so every
/// kernel can read them through `array<u32>` even where the adapter lacks `SHADER_F16`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// IEEE binary32 (`torch.float32`).
    F32,
    /// IEEE binary16 (`torch.float16`).
    F16,
    /// bfloat16 (`torch.bfloat16`).
    BF16,
    /// Unsigned 32-bit integer (indices, argmax results, comparison masks of 0/1).
    U32,
    /// Signed 32-bit integer (indices).
    I32,
}

impl DType {
    /// Size of one element in bytes.
    pub fn size_bytes(self) -> usize {
        match self {
            DType::F16 | DType::BF16 => 2,
            DType::F32 | DType::U32 | DType::I32 => 4,
        }
    }

    /// Bytes a buffer of `len` elements occupies, rounded up to wgpu's 4-byte copy alignment.
    pub fn storage_bytes(self, len: usize) -> u64 {
        let raw = (len as u64) * self.size_bytes() as u64;
        raw.div_ceil(4) * 4
    }
}

/// A host element type with a GPU [`DType`]: `f32`, `half::f16`, `half::bf16`, `u32`, `i32`.
pub trait Element: bytemuck::Pod {
    /// The tag matching this type.
    const DTYPE: DType;
}

impl Element for f32 {
    const DTYPE: DType = DType::F32;
}
impl Element for f16 {
    const DTYPE: DType = DType::F16;
}
impl Element for bf16 {
    const DTYPE: DType = DType::BF16;
}
impl Element for u32 {
    const DTYPE: DType = DType::U32;
}
impl Element for i32 {
    const DTYPE: DType = DType::I32;
}
