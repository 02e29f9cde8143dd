//! Element types a tensor can hold.

use half::{bf16, f16};
use std::fmt;

use crate::storage::CpuStorage;

/// The element type of a tensor (PyTorch's `torch.dtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit IEEE float (`torch.float32`), the default.
    F32,
    /// 64-bit IEEE float (`torch.float64`), used by the gradient checker.
    F64,
    /// 16-bit IEEE half (`torch.float16`); math accumulates in f32.
    F16,
    /// 16-bit brain float (`torch.bfloat16`); math accumulates in f32.
    BF16,
    /// 64-bit signed integer (`torch.int64`, `LongTensor`): ids and labels.
    I64,
    /// 8-bit unsigned integer (`torch.uint8`).
    U8,
    /// Boolean (`torch.bool`): masks and comparison results.
    Bool,
}

impl DType {
    /// Every dtype, in declaration order.
    pub const ALL: [DType; 7] = [
        DType::F32,
        DType::F64,
        DType::F16,
        DType::BF16,
        DType::I64,
        DType::U8,
        DType::Bool,
    ];

    /// Size of one element in bytes.
    pub fn size_in_bytes(self) -> usize {
        match self {
            DType::F64 | DType::I64 => 8,
            DType::F32 => 4,
            DType::F16 | DType::BF16 => 2,
            DType::U8 | DType::Bool => 1,
        }
    }

    /// True for the floating-point dtypes.
    pub fn is_float(self) -> bool {
        matches!(self, DType::F32 | DType::F64 | DType::F16 | DType::BF16)
    }

    /// The dtype arithmetic runs in: f16/bf16 compute in f32, everything else in itself.
    pub fn compute_dtype(self) -> DType {
        match self {
            DType::F16 | DType::BF16 => DType::F32,
            other => other,
        }
    }

    /// PyTorch's type promotion for a binary op between two tensors
    /// (`torch.result_type`): bool < u8 < i64 < f16/bf16 < f32 < f64; f16 with bf16 gives f32.
    pub fn promote(a: DType, b: DType) -> DType {
        use DType::*;
        if a == b {
            return a;
        }
        let rank = |d: DType| match d {
            Bool => 0,
            U8 => 1,
            I64 => 2,
            F16 | BF16 => 3,
            F32 => 4,
            F64 => 5,
        };
        match (a, b) {
            (F16, BF16) | (BF16, F16) => F32,
            _ if rank(a) >= rank(b) => a,
            _ => b,
        }
    }

    /// The dtype of `tensor op python_float`: integer and bool tensors become f32, floats stay.
    pub fn with_float_scalar(self) -> DType {
        if self.is_float() { self } else { DType::F32 }
    }

    /// The name safetensors uses for this dtype (`"F32"`, `"BOOL"`, …).
    pub fn safetensors_name(self) -> &'static str {
        match self {
            DType::F32 => "F32",
            DType::F64 => "F64",
            DType::F16 => "F16",
            DType::BF16 => "BF16",
            DType::I64 => "I64",
            DType::U8 => "U8",
            DType::Bool => "BOOL",
        }
    }
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::I64 => "int64",
            DType::U8 => "uint8",
            DType::Bool => "bool",
        };
        f.write_str(name)
    }
}

/// A Rust type that can be a tensor element. Implemented for `f32`, `f64`, `f16`, `bf16`, `i64`,
/// `u8` and `bool`.
pub trait Element:
    Copy + Send + Sync + PartialOrd + PartialEq + fmt::Debug + Default + 'static
{
    /// The matching [`DType`].
    const DTYPE: DType;
    /// Converts from f64 with Rust `as` semantics (saturating for integers, `!= 0` for bool).
    fn from_f64(v: f64) -> Self;
    /// Converts to f64 (exact for every type but i64 beyond 2^53).
    fn to_f64(self) -> f64;
    /// Borrows the elements of a CPU storage of this type, `None` for another dtype.
    fn slice(storage: &CpuStorage) -> Option<&[Self]>;
    /// The storage's elements, mutably, if it holds this type.
    fn slice_mut(storage: &mut CpuStorage) -> Option<&mut [Self]>;
    /// Wraps a vector of this type as CPU storage.
    fn into_storage(v: Vec<Self>) -> CpuStorage;
}

macro_rules! impl_element {
    ($t:ty, $dtype:ident, $from:expr, $to:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dtype;
            #[inline]
            fn from_f64(v: f64) -> Self {
                ($from)(v)
            }
            #[inline]
            fn to_f64(self) -> f64 {
                ($to)(self)
            }
            fn slice(storage: &CpuStorage) -> Option<&[Self]> {
                match storage {
                    CpuStorage::$dtype(v) => Some(v),
                    _ => None,
                }
            }
            fn slice_mut(storage: &mut CpuStorage) -> Option<&mut [Self]> {
                match storage {
                    CpuStorage::$dtype(v) => Some(v),
                    _ => None,
                }
            }
            fn into_storage(v: Vec<Self>) -> CpuStorage {
                CpuStorage::$dtype(v)
            }
        }
    };
}

impl_element!(f32, F32, |v: f64| v as f32, |v: f32| v as f64);
impl_element!(f64, F64, |v: f64| v, |v: f64| v);
impl_element!(f16, F16, f16::from_f64, |v: f16| v.to_f64());
impl_element!(bf16, BF16, bf16::from_f64, |v: bf16| v.to_f64());
impl_element!(i64, I64, |v: f64| v as i64, |v: i64| v as f64);
impl_element!(u8, U8, |v: f64| v as u8, |v: u8| v as f64);
impl_element!(bool, Bool, |v: f64| v != 0.0, |v: bool| if v {
    1.0
} else {
    0.0
});
