//! The element types sparse values may have, and dispatch over them.

use std::ops::AddAssign;

use crate::dtype::Element;

/// A float element a [`CsrTensor`](super::CsrTensor) can store: `f32` or `f64`.
pub(crate) trait SparseValue: Element + num_traits::Float + AddAssign {}

impl SparseValue for f32 {}
impl SparseValue for f64 {}

/// Runs `$body` with `$T` bound to `f32` or `f64` following `$dtype`; panics naming `$op` for any
/// other dtype.
macro_rules! with_sparse_dtype {
    ($dtype:expr, $op:expr, $T:ident, $body:block) => {
        match $dtype {
            $crate::dtype::DType::F32 => {
                type $T = f32;
                $body
            }
            $crate::dtype::DType::F64 => {
                type $T = f64;
                $body
            }
            other => panic!("{}: expected float32 or float64, got {other}", $op),
        }
    };
}
pub(crate) use with_sparse_dtype;
