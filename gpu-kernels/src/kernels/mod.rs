//! The kernel families, one folder each with its Rust entry points and its WGSL file(s).
//! `strided.wgsl` and `math.wgsl` hold helpers appended to the families that use them.

pub mod binary;
pub mod cast;
pub mod conv;
pub mod copy;
pub mod dropout;
pub mod gather;
pub mod layer_norm;
pub mod matmul;
pub mod pool;
pub mod reduce;
pub mod scan;
pub mod scatter;
pub mod softmax;
pub mod unary;
pub mod window;
