//! `ExponentialLR`: decay by `gamma` every step.

use crate::optimizer::Optimizer;
use crate::schedulers::base::{LrRule, Scheduler};

/// The formula of [`ExponentialLR`].
#[derive(Clone, Debug)]
pub struct ExponentialRule {
    /// Multiplicative factor per step (`gamma`).
    pub gamma: f64,
}

/// `torch.optim.lr_scheduler.ExponentialLR`: `lr ← lr · gamma` on every step after the first
/// (`lr = base_lr · gamma^epoch`).
pub type ExponentialLR = Scheduler<ExponentialRule>;

impl Scheduler<ExponentialRule> {
    /// Attaches an ExponentialLR to `opt` and takes the construction step.
    pub fn new(opt: &mut dyn Optimizer, gamma: f64) -> Self {
        Scheduler::attach(opt, ExponentialRule { gamma })
    }
}

impl LrRule for ExponentialRule {
    fn lrs(&mut self, epoch: i64, base: &[f64], opt: &mut dyn Optimizer, closed: bool) -> Vec<f64> {
        if closed {
            return base
                .iter()
                .map(|b| b * self.gamma.powf(epoch as f64))
                .collect();
        }
        if epoch == 0 {
            return opt.lrs();
        }
        opt.lrs().into_iter().map(|lr| lr * self.gamma).collect()
    }
}
