//! # kiln-autograd
//!
//! Define-by-run reverse-mode automatic differentiation over `kiln-tensor`, like PyTorch's
//! autograd: every op on [`Var`]s records how to push a gradient back; [`Var::backward`] walks
//! the graph in reverse topological order and accumulates gradients on the leaves until
//! [`Var::zero_grad`]. Depends only on `kiln-tensor`.
//!
//! ```
//! use kiln_autograd::Var;
//! use kiln_tensor::tensor;
//!
//! let w = Var::parameter(tensor![[1.0, 2.0], [3.0, 4.0]]);
//! let x = Var::constant(tensor![[1.0], [1.0]]);
//! let loss = w.matmul(&x).pow_scalar(2.0).sum(); // (1+2)² + (3+4)²
//! loss.backward();
//! assert_eq!(loss.value().item::<f32>(), 58.0);
//! assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![6.0, 6.0, 14.0, 14.0]);
//! ```

mod autocast;
mod checkpoint;
mod gradcheck;
mod graph;
mod no_grad;
mod ops;
mod var;

pub use autocast::{AutocastGuard, autocast, autocast_dtype};
pub use checkpoint::checkpoint;
pub use gradcheck::{GradCheckError, GradCheckOptions, gradcheck};
pub use no_grad::{NoGradGuard, is_grad_enabled, no_grad, set_grad_enabled};
pub use ops::sparse::sparse_matmul;
pub use var::{HookHandle, PostAccumulateGradHook, Var};
