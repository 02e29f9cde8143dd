//! Kiln's GPU kernels: a wgpu context, a buffer pool, a pipeline cache and hand-written WGSL
//! compute kernels that work on raw device buffers.
//!
//! This crate knows nothing about tensors: every kernel takes [`GpuBuffer`]s (a pooled wgpu
//! buffer, an element count and a [`DType`]) plus shape / stride / offset metadata
//! ([`StridedLayout`], [`MatmulOperand`], [`RowsLayout`]) and returns new buffers from the pool.
//! `kiln-tensor`'s `gpu` feature builds GPU tensors on top of it.
//!
//! * **Context** — [`GpuContext::new`] picks an adapter from `WGPU_BACKEND` (e.g. `vulkan`)
//!   and `KILN_GPU` (adapter index or name substring), opens the device with the adapter's own
//!   limits and with `SHADER_F16` / `SUBGROUP` where offered. Everything is synchronous.
//! * **Kernels** — [`matmul`] (tiled f32 with register blocking, batched and strided; native
//!   f16 with f32 accumulation; a subgroup split-K variant), [`softmax`], [`layer_norm`] /
//!   [`layer_norm_backward`], [`unary`], [`binary`] (broadcasting), [`reduce`],
//!   [`contiguous`] (strided copy), [`copy_into`] (placing a view, for `cat`), [`triangle`],
//!   [`index_select`] / [`embedding`] / [`gather`], [`index_add`] and [`scatter`] (their
//!   backward), [`cumsum`], [`cast`] (f32 ↔ f16 ↔ bf16), [`dropout`] and [`bernoulli`].
//!   Their WGSL lives in `src/kernels/<family>/`.
//! * **Windows** — [`im2col`] / [`col2im`] for convolutions (the products go through
//!   [`matmul`]), [`max_pool2d`] / [`avg_pool2d`] and their backward passes, all over a
//!   [`Window2d`]; the backward passes gather per input element instead of using atomics.
//! * **Errors** — no adapter, invalid WGSL (compiled inside error scopes), buffers larger than
//!   a storage binding, bad views and device errors are [`GpuError`]s, never panics.
//!
//! ```no_run
//! use kiln_gpu_kernels::{GpuContext, MatmulArgs, matmul};
//!
//! # fn main() -> Result<(), kiln_gpu_kernels::GpuError> {
//! let ctx = GpuContext::new()?; // honours WGPU_BACKEND and KILN_GPU
//! let a = ctx.upload(&[1.0f32, 2.0, 3.0, 4.0])?; // 2x2, row-major
//! let b = ctx.upload(&[1.0f32, 0.0, 0.0, 1.0])?; // identity
//! let c = matmul(&ctx, &a, &b, &MatmulArgs::new(2, 2, 2))?;
//! assert_eq!(ctx.to_vec::<f32>(&c)?, vec![1.0, 2.0, 3.0, 4.0]);
//! # Ok(())
//! # }
//! ```

mod buffer;
mod context;
mod dispatch;
mod dtype;
mod error;
pub mod kernels;
mod layout;
mod pipeline;
mod pool;
mod transfer;

pub use buffer::GpuBuffer;
pub use context::{GpuContext, GpuOptions};
pub use dtype::{DType, Element};
pub use error::{GpuError, Result};
pub use kernels::binary::{BinaryOp, binary};
pub use kernels::cast::cast;
pub use kernels::conv::{col2im, im2col};
pub use kernels::copy::{contiguous, copy_into, triangle};
pub use kernels::dropout::{bernoulli, dropout, dropout_threshold};
pub use kernels::gather::{embedding, gather, index_select};
pub use kernels::layer_norm::{LayerNormGrads, LayerNormOutput, layer_norm, layer_norm_backward};
pub use kernels::matmul::{MatmulAlgo, MatmulArgs, MatmulOperand, matmul};
pub use kernels::pool::{avg_pool2d, avg_pool2d_backward, max_pool2d, max_pool2d_backward};
pub use kernels::reduce::{ReduceOp, reduce};
pub use kernels::scan::cumsum;
pub use kernels::scatter::{IndexAddShape, ScatterMode, index_add, scatter};
pub use kernels::softmax::{RowsLayout, softmax};
pub use kernels::unary::{UnaryOp, unary};
pub use kernels::window::Window2d;
pub use layout::{MAX_DIMS, StridedLayout, broadcast_shapes};
pub use pool::PoolStats;
pub use wgpu;
