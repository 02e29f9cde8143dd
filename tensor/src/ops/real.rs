//! The float element types kernels compute in (f32, f64) and the math they need.

use num_traits::Float;

use crate::dtype::Element;
use crate::ops::reduce::kernel::LaneSum;
use crate::ops::softmax::exp_f32;

/// A floating-point element that kernels compute in: `f32` or `f64`. f16/bf16 tensors are
/// computed in f32.
pub(crate) trait Real: Float + Element + Send + Sync + std::iter::Sum + LaneSum {
    /// The error function, for the exact GELU.
    fn erf(self) -> Self;
    /// `e^x` by code that vectorises when inlined into an element loop: for f32 the
    /// branch-free [`exp_f32`] (within 2 ulp; libm's `expf` is a call per element and ran
    /// 12× slower than `torch.exp` on 3M elements), for f64 libm's `exp`.
    fn exp_vectorised(self) -> Self;
    /// Converts an f64 constant.
    fn c(v: f64) -> Self {
        <Self as Element>::from_f64(v)
    }
}

impl Real for f32 {
    fn erf(self) -> f32 {
        libm::erff(self)
    }
    #[inline(always)]
    fn exp_vectorised(self) -> f32 {
        // Unfused multiply-adds, so every SIMD tier (and the scalar build) gives the same bits.
        exp_f32::<false>(self)
    }
}

impl Real for f64 {
    fn erf(self) -> f64 {
        libm::erf(self)
    }
    #[inline(always)]
    fn exp_vectorised(self) -> f64 {
        self.exp()
    }
}
