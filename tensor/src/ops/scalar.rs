//! Python-style scalars for tensor–scalar ops (`x * 2`, `x + 0.5`).

use crate::dtype::DType;
use crate::tensor::Tensor;

/// A number combined with a tensor. Like Python's `int` and `float` in PyTorch, an integer keeps
/// an integer tensor's dtype and a float turns it into f32; a float tensor keeps its dtype either
/// way.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    /// An integer (Python `int`).
    Int(i64),
    /// A float (Python `float`).
    Float(f64),
}

impl Scalar {
    /// The value as f64.
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Int(v) => v as f64,
            Scalar::Float(v) => v,
        }
    }

    /// The dtype of `tensor op scalar` for a tensor of `dtype` (PyTorch's scalar promotion).
    pub(crate) fn result_dtype(self, dtype: DType) -> DType {
        match (self, dtype) {
            (Scalar::Float(_), d) => d.with_float_scalar(),
            (Scalar::Int(_), DType::Bool) => DType::I64,
            (Scalar::Int(_), d) => d,
        }
    }

    /// A 0-d tensor holding the scalar in `dtype`.
    pub(crate) fn to_tensor(self, dtype: DType) -> Tensor {
        match self {
            Scalar::Int(v) if dtype == DType::I64 => Tensor::scalar(v),
            s => Tensor::scalar(s.to_f64()).to_dtype(dtype),
        }
    }
}

macro_rules! scalar_from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Scalar {
            fn from(v: $t) -> Self {
                Scalar::$v(v.into())
            }
        }
    )*};
}
scalar_from!(i64 => Int, i32 => Int, u8 => Int, f64 => Float, f32 => Float);
