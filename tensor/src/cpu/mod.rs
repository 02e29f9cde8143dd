//! CPU kernels: strided traversal and the element loops behind every op.

pub(crate) mod buffer_pool;
pub(crate) mod erf;
#[cfg(target_arch = "x86_64")]
mod erf_avx512;
#[cfg(target_arch = "x86_64")]
mod erf_simd;
#[cfg(target_arch = "x86_64")]
mod gelu_lanes;
pub(crate) mod gemm;
#[cfg(target_arch = "x86_64")]
mod gemm_avx512;
pub(crate) mod simd;
pub(crate) mod strided;
