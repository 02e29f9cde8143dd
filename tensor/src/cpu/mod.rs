//! CPU kernels: strided traversal and the element loops behind every op.

pub(crate) mod buffer_pool;
pub(crate) mod erf;
pub(crate) mod gemm;
pub(crate) mod simd;
pub(crate) mod strided;
