//! CPU kernels: strided traversal and the element loops behind every op.

pub(crate) mod gemm;
pub(crate) mod strided;
