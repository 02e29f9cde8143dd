//! Optimizer state buffers and the element types optimizer math runs in.

use std::ops::{Add, Div, Mul, Neg, Sub};

use kiln_tensor::{DType, Element, Tensor};

/// A float type optimizer math runs in: `f32` (for f32, f16 and bf16 parameters) or `f64`.
pub(crate) trait Real:
    Element
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// Square root.
    fn sqrt(self) -> Self;
    /// The larger of two values (NaN-propagating like `torch.maximum`).
    fn maximum(self, other: Self) -> Self;
    /// Borrows the elements of a buffer of this type; `None` for the other type.
    fn vec_mut(buf: &mut Buf) -> Option<&mut Vec<Self>>;
    /// Wraps a vector as a buffer.
    fn wrap(v: Vec<Self>) -> Buf;
}

macro_rules! impl_real {
    ($t:ty, $variant:ident) => {
        impl Real for $t {
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn maximum(self, other: Self) -> Self {
                if self.is_nan() || other.is_nan() {
                    <$t>::NAN
                } else if self > other {
                    self
                } else {
                    other
                }
            }
            fn vec_mut(buf: &mut Buf) -> Option<&mut Vec<Self>> {
                match buf {
                    Buf::$variant(v) => Some(v),
                    _ => None,
                }
            }
            fn wrap(v: Vec<Self>) -> Buf {
                Buf::$variant(v)
            }
        }
    };
}
impl_real!(f32, F32);
impl_real!(f64, F64);

/// One per-parameter state tensor (`exp_avg`, `momentum_buffer`, …) held as a flat vector in
/// the parameter's compute dtype, so an update is one pass over plain memory.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Buf {
    /// State of f32, f16 and bf16 parameters.
    F32(Vec<f32>),
    /// State of f64 parameters.
    F64(Vec<f64>),
}

impl Buf {
    /// `n` copies of `value` in `dtype` (the compute dtype of a parameter).
    pub(crate) fn filled(dtype: DType, n: usize, value: f64) -> Buf {
        match dtype {
            DType::F64 => Buf::F64(vec![value; n]),
            _ => Buf::F32(vec![value as f32; n]),
        }
    }

    /// The buffer as a tensor of `dims` (for `state_dict`).
    pub(crate) fn to_tensor(&self, dims: &[usize]) -> Tensor {
        match self {
            Buf::F32(v) => Tensor::from_slice(v, dims),
            Buf::F64(v) => Tensor::from_slice(v, dims),
        }
    }

    /// Reads a saved state tensor, converting it to `dtype` (as PyTorch casts state to the
    /// parameter's dtype on load).
    pub(crate) fn from_tensor(t: &Tensor, dtype: DType) -> Buf {
        match dtype {
            DType::F64 => Buf::F64(t.to_vec::<f64>()),
            _ => Buf::F32(t.to_vec::<f32>()),
        }
    }

    /// Mutable elements as `T`. Panics if the buffer holds the other type, which the
    /// optimizers rule out by always pairing a buffer with its parameter's compute dtype.
    pub(crate) fn typed_mut<T: Real>(&mut self) -> &mut Vec<T> {
        T::vec_mut(self).expect("optimizer state buffer dtype differs from the parameter's")
    }
}

/// The dtype optimizer math runs in for a parameter of `dtype`: f64 stays f64, every other
/// float type computes in f32 (PyTorch's `opmath` type for f16/bf16).
pub(crate) fn compute_dtype(dtype: DType) -> DType {
    match dtype {
        DType::F64 => DType::F64,
        _ => DType::F32,
    }
}
