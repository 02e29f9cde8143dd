//! Convolutions and poolings over images (`F.conv2d`, `F.max_pool2d`, `F.avg_pool2d`) with
//! their backward passes: `im2col` + GEMM forward, `col2im` backward, and direct window loops
//! for the poolings. 1-D versions run as 2-D ones over a height of one in the callers.
//! GPU tensors run the same steps on the device: `im2col` / `col2im` and the poolings as
//! WGSL kernels (`crate::gpu::conv`, `crate::gpu::pool`), the products as the GPU matmul.

mod avg_pool;
mod conv2d;
pub(crate) mod geometry;
mod im2col;
mod max_pool;
mod options;
mod pool_options;

pub use conv2d::Conv2dGrads;
pub use options::{Conv1dOptions, Conv2dOptions};
pub use pool_options::{Pool1dOptions, Pool2dOptions};

use crate::dtype::DType;
use crate::tensor::Tensor;

/// The dtype the window kernels run in: f64 for f64, f32 for the other float dtypes. Panics
/// naming `op` for integer and bool tensors (PyTorch has no integer convolution on CPU either).
fn compute_dtype(t: &Tensor, op: &str) -> DType {
    match t.dtype() {
        DType::F64 => DType::F64,
        d if d.is_float() => DType::F32,
        d => panic!("{op}: expected a floating-point tensor, got {d}"),
    }
}
