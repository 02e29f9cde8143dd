//! The scheduler trait and the machinery shared by epoch-indexed schedules (PyTorch's
//! `LRScheduler` base class).

use crate::optimizer::Optimizer;

/// A learning-rate schedule driving an optimizer's group learning rates.
pub trait LrScheduler {
    /// Advances one step and writes the new learning rates into `opt` (`scheduler.step()`).
    fn step(&mut self, opt: &mut dyn Optimizer);

    /// The learning rates set by the latest step, one per group (`get_last_lr()`).
    fn get_last_lr(&self) -> Vec<f64>;

    /// Steps taken since construction, the construction step counting as 0 (`last_epoch`).
    fn last_epoch(&self) -> i64;

    /// Jumps to `epoch` and sets its learning rates using the closed form where the schedule
    /// has one (PyTorch's `_update_lr(epoch)`, used by [`crate::schedulers::SequentialLR`] at
    /// a milestone).
    fn step_to(&mut self, opt: &mut dyn Optimizer, epoch: i64);

    /// Undoes the step counting of the construction step (`last_epoch -= 1`), as
    /// `SequentialLR` does to the schedulers it composes.
    fn rewind(&mut self);

    /// Repeats the construction step (`_initial_step`).
    fn initial_step(&mut self, opt: &mut dyn Optimizer) {
        self.step(opt);
    }
}

/// The formula of an epoch-indexed schedule.
pub trait LrRule {
    /// The learning rates for epoch `epoch`, one per group. `base_lrs` are the groups'
    /// `initial_lr`s; `opt` holds the current rates, which chainable schedules (StepLR,
    /// ExponentialLR) scale. With `closed_form`, compute from `base_lrs` alone (PyTorch's
    /// `_get_closed_form_lr`) when the schedule has such a form.
    fn lrs(
        &mut self,
        epoch: i64,
        base_lrs: &[f64],
        opt: &mut dyn Optimizer,
        closed_form: bool,
    ) -> Vec<f64>;
}

/// An epoch-indexed schedule: `R` gives the formula, this struct the bookkeeping of PyTorch's
/// `LRScheduler` (`base_lrs`, `last_epoch`, `_last_lr`, the construction step).
pub struct Scheduler<R> {
    rule: R,
    base_lrs: Vec<f64>,
    last_epoch: i64,
    last_lr: Vec<f64>,
}

impl<R: LrRule> Scheduler<R> {
    /// Attaches `rule` to `opt`: every group without an `initial_lr` gets its current lr as
    /// `initial_lr`, `base_lrs` are the `initial_lr`s, and the first step (epoch 0) is taken.
    pub fn attach(opt: &mut dyn Optimizer, rule: R) -> Self {
        for g in 0..opt.num_param_groups() {
            if opt.initial_lr(g).is_none() {
                let lr = opt.lr(g);
                opt.set_initial_lr(g, lr);
            }
        }
        let base_lrs = (0..opt.num_param_groups())
            .map(|g| opt.initial_lr(g).unwrap_or_else(|| opt.lr(g)))
            .collect();
        let mut s = Scheduler {
            rule,
            base_lrs,
            last_epoch: -1,
            last_lr: Vec::new(),
        };
        s.step(opt);
        s
    }

    /// The learning rates the schedule scales (`base_lrs`).
    pub fn base_lrs(&self) -> &[f64] {
        &self.base_lrs
    }

    /// The schedule's formula and settings.
    pub fn rule(&self) -> &R {
        &self.rule
    }

    fn apply(&mut self, opt: &mut dyn Optimizer, closed_form: bool) {
        let values = self
            .rule
            .lrs(self.last_epoch, &self.base_lrs, opt, closed_form);
        assert_eq!(
            values.len(),
            opt.num_param_groups(),
            "scheduler: the optimizer has {} param groups but the schedule was built for {}",
            opt.num_param_groups(),
            values.len()
        );
        for (g, lr) in values.into_iter().enumerate() {
            opt.set_lr(g, lr);
        }
        self.last_lr = opt.lrs();
    }
}

impl<R: LrRule> LrScheduler for Scheduler<R> {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.last_epoch += 1;
        self.apply(opt, false);
    }

    fn get_last_lr(&self) -> Vec<f64> {
        self.last_lr.clone()
    }

    fn last_epoch(&self) -> i64 {
        self.last_epoch
    }

    fn step_to(&mut self, opt: &mut dyn Optimizer, epoch: i64) {
        self.last_epoch = epoch;
        self.apply(opt, true);
    }

    fn rewind(&mut self) {
        self.last_epoch -= 1;
    }
}
