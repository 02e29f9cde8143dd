//! # kiln-tensor
//!
//! N-dimensional arrays for Kiln with PyTorch's names and semantics: dtypes (f32, f64, f16,
//! bf16, i64, u8, bool), strided views that share storage, broadcasting elementwise math,
//! reductions, matmul, fused softmax/layer-norm, seeded random numbers and safetensors I/O.
//!
//! Depends on no other Kiln crate, except `kiln-gpu-kernels` behind the optional `gpu` feature,
//! which adds `Device::Gpu` tensors whose ops run as WGSL kernels (no silent CPU fallback).
//! Math with wrong shapes or dtypes panics with a message naming the op and the shapes, like
//! std indexing; anything that reads the outside world returns `Result`.
//!
//! ```
//! use kiln_tensor::{tensor, Tensor};
//!
//! let a = tensor![[1.0, 2.0], [3.0, 4.0]];
//! let b = Tensor::ones([2]);
//! let c = &(&a + &b) * 2.0; // broadcasting [2, 2] + [2]
//! assert_eq!(c.to_vec::<f32>(), vec![4.0, 6.0, 8.0, 10.0]);
//! assert_eq!(a.t().dims(), &[2, 2]);
//! ```

mod access;
mod cpu;
mod creation;
mod device;
mod display;
mod dtype;
#[cfg(feature = "gpu")]
mod gpu;
pub mod io;
mod layout;
mod literal;
mod ops;
mod random;
mod shape;
pub mod sparse;
mod storage;
mod tensor;
mod threads;
mod views;

pub use cpu::buffer_pool::{
    MIN_POOLED_BYTES, cache_limit, cached_bytes, empty_cache, set_cache_limit,
};
pub use device::Device;
pub use dtype::{DType, Element};
pub use io::safetensors;
pub use layout::Layout;
pub use literal::TensorLiteral;
pub use ops::binary::{BinaryOp, CompareOp, LogicalOp};
pub use ops::conv::{Conv1dOptions, Conv2dGrads, Conv2dOptions, Pool1dOptions, Pool2dOptions};
pub use ops::scalar::Scalar;
pub use ops::unary::UnaryOp;
pub use random::{Generator, get_rng_state, manual_seed, set_rng_state, with_global_generator};
pub use shape::{Dim, Shape};
pub use sparse::{CsrTensor, SparseError};
pub use storage::CpuStorage;
pub use tensor::Tensor;
pub use threads::{ThreadPoolError, init_thread_pool};
