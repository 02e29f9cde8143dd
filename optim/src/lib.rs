//! # kiln-optim
//!
//! Optimizers, learning-rate schedulers, gradient clipping and gradient scaling for Kiln, with
//! PyTorch's update rules, names and defaults.
//!
//! - [`Optimizer`] over parameter groups ([`ParamGroup`], [`GroupSpec`]): [`Sgd`], [`Adam`],
//!   [`AdamW`], [`Rmsprop`], [`Adagrad`], [`Adadelta`]; `state_dict` / `load_state_dict` and a
//!   safetensors file format for exact resumption ([`OptimizerState`]).
//! - [`param_groups_from_named`] builds the decay / no-decay and encoder / head groups the
//!   Hugging Face fine-tuning recipes use.
//! - Schedulers ([`schedulers`]) that step per batch or per epoch and mutate the optimizer's
//!   learning rates as `torch.optim.lr_scheduler` does.
//! - [`clip_grad_norm_`], [`clip_grad_value_`] and [`GradScaler`] for mixed precision.
//!
//! Parameters are [`kiln_autograd::Var`] leaves of f32, f64, f16 or bf16; the update math runs
//! in f64 for f64 parameters and in f32 otherwise, fused into one pass over the parameter,
//! its gradient and its state (parallel with rayon for large parameters). Parameters on a GPU
//! keep their state on the device and run the same update rule as f32 tensor ops there.
//!
//! ```
//! use kiln_autograd::Var;
//! use kiln_optim::{AdamConfig, AdamW, Optimizer};
//! use kiln_tensor::tensor;
//!
//! let w = Var::parameter(tensor![1.0, -2.0, 3.0]);
//! w.set_grad(Some(tensor![0.5, 0.5, -0.5])); // a gradient, as `backward` would leave it
//! let mut opt = AdamW::new(vec![w.clone()], AdamConfig::adamw(0.1));
//! opt.step();
//! // The first Adam step moves each weight by about lr against its gradient's sign, after the
//! // decoupled decay p·(1 − lr·wd).
//! let after = w.value().to_vec::<f32>();
//! assert!((after[0] - (1.0 * (1.0 - 0.1 * 0.01) - 0.1)).abs() < 1e-5);
//! assert!((after[2] - (3.0 * (1.0 - 0.1 * 0.01) + 0.1)).abs() < 1e-5);
//! opt.zero_grad(true);
//! assert!(w.grad().is_none());
//! ```

mod buffer;
mod clip;
mod core;
mod error;
mod grad_scaler;
mod grouping;
mod kernel;
mod optimizer;
pub mod optimizers;
mod param_group;
pub mod schedulers;
mod state_dict;
mod traced;

pub use crate::core::{Optim, UpdateRule};
pub use clip::{clip_grad_norm_, clip_grad_value_};
pub use error::OptimError;
pub use grad_scaler::{GradScaler, GradScalerConfig, GradScalerState};
pub use grouping::{GroupingConfig, param_groups_from_named};
pub use optimizer::Optimizer;
pub use optimizers::adadelta::{Adadelta, AdadeltaConfig, AdadeltaOptions};
pub use optimizers::adagrad::{Adagrad, AdagradConfig, AdagradOptions};
pub use optimizers::adam::{Adam, AdamConfig, AdamOptions};
pub use optimizers::adamw::AdamW;
pub use optimizers::rmsprop::{Rmsprop, RmspropConfig, RmspropOptions};
pub use optimizers::sgd::{Sgd, SgdConfig, SgdOptions};
pub use param_group::{GroupOptions, GroupSpec, IntoParamGroups, ParamGroup};
pub use state_dict::{GroupState, METADATA_KEY, OptimizerState, ParamState};
