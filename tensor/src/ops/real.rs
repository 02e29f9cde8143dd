//! The float element types kernels compute in (f32, f64) and the math they need.

use num_traits::Float;

use crate::dtype::Element;
use crate::ops::reduce::kernel::LaneSum;

/// A floating-point element that kernels compute in: `f32` or `f64`. f16/bf16 tensors are
/// computed in f32.
pub(crate) trait Real: Float + Element + Send + Sync + std::iter::Sum + LaneSum {
    /// The error function, for the exact GELU.
    fn erf(self) -> Self;
    /// Converts an f64 constant.
    fn c(v: f64) -> Self {
        <Self as Element>::from_f64(v)
    }
}

impl Real for f32 {
    fn erf(self) -> f32 {
        libm::erff(self)
    }
}

impl Real for f64 {
    fn erf(self) -> f64 {
        libm::erf(self)
    }
}
