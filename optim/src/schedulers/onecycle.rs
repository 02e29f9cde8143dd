//! `OneCycleLR`: the 1cycle policy (Smith & Topin, 2017, <https://arxiv.org/abs/1708.07120>).

use std::f64::consts::PI;

use crate::optimizer::Optimizer;
use crate::schedulers::base::{LrRule, Scheduler};

/// How a phase moves between its end values (`anneal_strategy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnealStrategy {
    /// Cosine annealing (`"cos"`, the default).
    Cos,
    /// Linear annealing (`"linear"`).
    Linear,
}

impl AnnealStrategy {
    fn anneal(self, start: f64, end: f64, pct: f64) -> f64 {
        match self {
            AnnealStrategy::Cos => end + (start - end) / 2.0 * ((PI * pct).cos() + 1.0),
            AnnealStrategy::Linear => (end - start) * pct + start,
        }
    }
}

/// Settings of [`OneCycleLR`] with PyTorch's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct OneCycleConfig {
    /// Peak learning rate, one per group or one for all (`max_lr`).
    pub max_lr: Vec<f64>,
    /// Number of scheduler steps in the cycle (`total_steps`, or `epochs · steps_per_epoch`).
    pub total_steps: usize,
    /// Fraction of the cycle spent increasing the lr (`pct_start`, default 0.3).
    pub pct_start: f64,
    /// Annealing shape (`anneal_strategy`, default cosine).
    pub anneal_strategy: AnnealStrategy,
    /// Cycle momentum inversely to the lr (`cycle_momentum`, default true): SGD's and
    /// RMSprop's `momentum`, Adam's `beta1`.
    pub cycle_momentum: bool,
    /// Lowest momentum, reached at the peak lr (`base_momentum`, default 0.85).
    pub base_momentum: f64,
    /// Highest momentum, at the start and end (`max_momentum`, default 0.95).
    pub max_momentum: f64,
    /// Initial lr is `max_lr / div_factor` (`div_factor`, default 25).
    pub div_factor: f64,
    /// Final lr is `initial_lr / final_div_factor` (`final_div_factor`, default 1e4).
    pub final_div_factor: f64,
    /// Use a third phase that anneals back down before the final decay (`three_phase`).
    pub three_phase: bool,
}

impl OneCycleConfig {
    /// PyTorch's defaults for a cycle of `total_steps` steps peaking at `max_lr`.
    pub fn new(max_lr: f64, total_steps: usize) -> Self {
        OneCycleConfig {
            max_lr: vec![max_lr],
            total_steps,
            pct_start: 0.3,
            anneal_strategy: AnnealStrategy::Cos,
            cycle_momentum: true,
            base_momentum: 0.85,
            max_momentum: 0.95,
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
        }
    }

    /// Sizes the cycle as `epochs · steps_per_epoch` (ktrain's `fit_onecycle` steps per batch).
    pub fn from_epochs(max_lr: f64, epochs: usize, steps_per_epoch: usize) -> Self {
        OneCycleConfig::new(max_lr, epochs * steps_per_epoch)
    }
}

/// Which group value a phase starts or ends at.
#[derive(Clone, Copy, Debug)]
enum Level {
    Initial,
    Max,
    Min,
}

#[derive(Clone, Copy, Debug)]
struct Phase {
    end_step: f64,
    lr: (Level, Level),
    /// Momentum at the start and end of the phase: `true` is `max_momentum`, `false` is
    /// `base_momentum`.
    momentum: (bool, bool),
}

/// Per-group end values of the schedule.
#[derive(Clone, Debug)]
struct GroupLevels {
    initial_lr: f64,
    max_lr: f64,
    min_lr: f64,
}

/// The formula of [`OneCycleLR`].
pub struct OneCycleRule {
    config: OneCycleConfig,
    phases: Vec<Phase>,
    groups: Vec<GroupLevels>,
}

/// `torch.optim.lr_scheduler.OneCycleLR`: the lr rises from `max_lr/div_factor` to `max_lr`
/// over `pct_start` of the cycle, then falls to `initial_lr/final_div_factor`; momentum moves
/// the opposite way between `max_momentum` and `base_momentum`. Step it once per batch.
pub type OneCycleLR = Scheduler<OneCycleRule>;

impl Scheduler<OneCycleRule> {
    /// Attaches a one-cycle schedule: sets every group's `initial_lr` to `max_lr/div_factor`
    /// and, with `cycle_momentum`, its momentum (or beta1) to `max_momentum`, then takes the
    /// construction step. Panics, as PyTorch raises, for zero `total_steps`, a `pct_start`
    /// outside [0, 1], a wrong number of `max_lr`s, or `cycle_momentum` on an optimizer
    /// without momentum.
    pub fn new(opt: &mut dyn Optimizer, config: OneCycleConfig) -> Self {
        let n = opt.num_param_groups();
        assert!(
            config.total_steps > 0,
            "OneCycleLR: total_steps must be positive"
        );
        assert!(
            (0.0..=1.0).contains(&config.pct_start),
            "OneCycleLR: expected float between 0 and 1 pct_start, but got {}",
            config.pct_start
        );
        assert!(
            config.max_lr.len() == 1 || config.max_lr.len() == n,
            "OneCycleLR: expected {n} values for max_lr, got {}",
            config.max_lr.len()
        );
        let total = config.total_steps as f64;
        let pct = config.pct_start;
        let (hi_to_lo, lo_to_hi, hold) = ((true, false), (false, true), (true, true));
        let phases = if config.three_phase {
            vec![
                phase(pct * total - 1.0, Level::Initial, Level::Max, hi_to_lo),
                phase(
                    2.0 * pct * total - 2.0,
                    Level::Max,
                    Level::Initial,
                    lo_to_hi,
                ),
                phase(total - 1.0, Level::Initial, Level::Min, hold),
            ]
        } else {
            vec![
                phase(pct * total - 1.0, Level::Initial, Level::Max, hi_to_lo),
                phase(total - 1.0, Level::Max, Level::Min, lo_to_hi),
            ]
        };
        let mut groups = Vec::with_capacity(n);
        for g in 0..n {
            let max_lr = config.max_lr[if config.max_lr.len() == 1 { 0 } else { g }];
            let initial_lr = max_lr / config.div_factor;
            opt.set_initial_lr(g, initial_lr);
            groups.push(GroupLevels {
                initial_lr,
                max_lr,
                min_lr: initial_lr / config.final_div_factor,
            });
            if config.cycle_momentum {
                assert!(
                    opt.momentum(g).is_some(),
                    "OneCycleLR: optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                );
                opt.set_momentum(g, config.max_momentum);
            }
        }
        Scheduler::attach(
            opt,
            OneCycleRule {
                config,
                phases,
                groups,
            },
        )
    }
}

fn phase(end_step: f64, from: Level, to: Level, momentum: (bool, bool)) -> Phase {
    Phase {
        end_step,
        lr: (from, to),
        momentum,
    }
}

impl GroupLevels {
    fn level(&self, l: Level) -> f64 {
        match l {
            Level::Initial => self.initial_lr,
            Level::Max => self.max_lr,
            Level::Min => self.min_lr,
        }
    }
}

impl LrRule for OneCycleRule {
    fn lrs(
        &mut self,
        epoch: i64,
        _base: &[f64],
        opt: &mut dyn Optimizer,
        _closed: bool,
    ) -> Vec<f64> {
        let step = epoch as f64;
        assert!(
            epoch <= self.config.total_steps as i64,
            "OneCycleLR: tried to step {epoch} times. The specified number of total steps is {}",
            self.config.total_steps
        );
        let c = &self.config;
        let momentum_of = |high: bool| {
            if high {
                c.max_momentum
            } else {
                c.base_momentum
            }
        };
        let mut out = Vec::with_capacity(self.groups.len());
        for (g, levels) in self.groups.iter().enumerate() {
            let mut start = 0.0;
            for (i, ph) in self.phases.iter().enumerate() {
                if step <= ph.end_step || i == self.phases.len() - 1 {
                    let pct = (step - start) / (ph.end_step - start);
                    let s = c.anneal_strategy;
                    out.push(s.anneal(levels.level(ph.lr.0), levels.level(ph.lr.1), pct));
                    if c.cycle_momentum {
                        let (a, b) = (momentum_of(ph.momentum.0), momentum_of(ph.momentum.1));
                        opt.set_momentum(g, s.anneal(a, b, pct));
                    }
                    break;
                }
                start = ph.end_step;
            }
        }
        out
    }
}
