//! Learning-rate schedulers (`torch.optim.lr_scheduler` and Hugging Face's
//! `transformers.get_*_schedule*`).
//!
//! A scheduler is created from the optimizer it drives and, like PyTorch's, performs its first
//! step in the constructor (setting the lr of epoch 0). Call [`LrScheduler::step`] after each
//! `optimizer.step()` — per batch or per epoch, as the schedule was sized. The optimizer is
//! passed to every call rather than held, so the training loop keeps using it freely.

mod base;
mod exponential;
mod lambda;
mod onecycle;
mod plateau;
mod sequential;
mod step;
mod warmup;

pub use base::{LrRule, LrScheduler, Scheduler};
pub use exponential::{ExponentialLR, ExponentialRule};
pub use lambda::{LambdaLR, LambdaRule, LrLambda};
pub use onecycle::{AnnealStrategy, OneCycleConfig, OneCycleLR, OneCycleRule};
pub use plateau::{PlateauMode, ReduceLROnPlateau, ReduceLROnPlateauConfig, ThresholdMode};
pub use sequential::SequentialLR;
pub use step::{StepLR, StepRule};
pub use warmup::{
    get_constant_schedule, get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
    get_linear_schedule_with_warmup,
};
