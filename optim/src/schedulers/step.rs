//! `StepLR`: decay by `gamma` every `step_size` epochs.

use crate::optimizer::Optimizer;
use crate::schedulers::base::{LrRule, Scheduler};

/// The formula of [`StepLR`].
#[derive(Clone, Debug)]
pub struct StepRule {
    /// Period of the decay, in scheduler steps (`step_size`).
    pub step_size: usize,
    /// Multiplicative factor (`gamma`, PyTorch's default 0.1).
    pub gamma: f64,
}

/// `torch.optim.lr_scheduler.StepLR`: multiplies each group's lr by `gamma` whenever the step
/// count is a non-zero multiple of `step_size` (`lr = base_lr · gamma^⌊epoch/step_size⌋`).
pub type StepLR = Scheduler<StepRule>;

impl Scheduler<StepRule> {
    /// Attaches a StepLR to `opt` and takes the construction step. Panics if `step_size` is 0.
    pub fn new(opt: &mut dyn Optimizer, step_size: usize, gamma: f64) -> Self {
        assert!(step_size > 0, "StepLR: step_size must be positive");
        Scheduler::attach(opt, StepRule { step_size, gamma })
    }
}

impl LrRule for StepRule {
    fn lrs(&mut self, epoch: i64, base: &[f64], opt: &mut dyn Optimizer, closed: bool) -> Vec<f64> {
        if closed {
            let k = epoch.max(0) as usize / self.step_size;
            return base.iter().map(|b| b * self.gamma.powf(k as f64)).collect();
        }
        let decay = epoch != 0 && epoch % self.step_size as i64 == 0;
        opt.lrs()
            .into_iter()
            .map(|lr| if decay { lr * self.gamma } else { lr })
            .collect()
    }
}
