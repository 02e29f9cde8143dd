//! Loss modules with PyTorch's names, options and `reduction` semantics (`torch.nn.*Loss`).
//!
//! Each is a small struct built with PyTorch's constructor defaults by `new()`, changed with
//! `with_*` builders, applied with `forward(&input, &target)`, and printed as PyTorch prints it
//! (`CrossEntropyLoss()`). The math lives in [`crate::functional`].

mod bce;
mod bce_with_logits;
mod cross_entropy;
mod huber;
mod kl_div;
mod l1;
mod mse;
mod nll;
mod smooth_l1;

pub use crate::functional::{KlDivReduction, Reduction};
pub use bce::BCELoss;
pub use bce_with_logits::BCEWithLogitsLoss;
pub use cross_entropy::CrossEntropyLoss;
pub use huber::HuberLoss;
pub use kl_div::KLDivLoss;
pub use l1::L1Loss;
pub use mse::MSELoss;
pub use nll::NLLLoss;
pub use smooth_l1::SmoothL1Loss;
