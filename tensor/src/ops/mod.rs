//! Tensor operations, one family per file.

pub(crate) mod attention;
pub(crate) mod binary;
pub(crate) mod combine;
pub(crate) mod conv;
pub(crate) mod index;
pub(crate) mod layer_norm;
pub(crate) mod layer_norm_backward;
pub(crate) mod matmul;
pub(crate) mod operators;
pub(crate) mod real;
pub(crate) mod reduce;
pub(crate) mod scalar;
pub(crate) mod softmax;
pub(crate) mod unary;
