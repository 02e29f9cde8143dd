//! # kiln-nn
//!
//! Neural-network building blocks over `kiln-autograd`, named and behaving like `torch.nn`:
//! the [`Module`] trait with `#[derive(Module)]`, layers, losses, functional ops
//! (`torch.nn.functional`), initialisers and state dicts that load from and into PyTorch through
//! safetensors. Depends on `kiln-tensor` and `kiln-autograd`.
//!
//! ```
//! use kiln_autograd::Var;
//! use kiln_nn::{Forward, Linear, Module, ReLU};
//! use kiln_tensor::Tensor;
//!
//! #[derive(kiln_nn::Module)]
//! struct Mlp {
//!     hidden_layer: Linear,
//!     output_layer: Linear,
//!     activation: ReLU,
//! }
//!
//! impl Mlp {
//!     fn forward(&self, x: &Var) -> Var {
//!         let h = self.activation.forward(&self.hidden_layer.forward(x));
//!         self.output_layer.forward(&h)
//!     }
//! }
//!
//! let model = Mlp {
//!     hidden_layer: Linear::new(10, 64, true),
//!     output_layer: Linear::new(64, 2, true),
//!     activation: ReLU,
//! };
//! assert_eq!(model.num_parameters(false), 10 * 64 + 64 + 64 * 2 + 2);
//! let y = model.forward(&Var::constant(Tensor::rand([3, 10])));
//! assert_eq!(y.dims(), vec![3, 2]);
//! println!("{model}"); // MLP(\n  (hidden_layer): Linear(in_features=10, …
//! ```

extern crate self as kiln_nn;

pub mod functional;
pub mod init;
pub mod layers;
pub mod loss;
pub mod models;
mod module;

pub use kiln_nn_derive::Module;
pub use layers::*;
pub use module::{
    Forward, IncompatibleKeys, Module, ModuleField, ShapeMismatch, StateDict, StateDictError,
    Visitor,
};
