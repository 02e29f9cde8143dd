//! `ReduceLROnPlateau`: cut the lr when a metric stops improving.

use crate::optimizer::Optimizer;

/// Whether lower or higher metric values are better (`mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better, e.g. a loss (`"min"`, the default).
    Min,
    /// Higher is better, e.g. an accuracy (`"max"`).
    Max,
}

/// How `threshold` defines a significant improvement (`threshold_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMode {
    /// Relative: better than `best · (1 ∓ threshold)` (`"rel"`, the default).
    Rel,
    /// Absolute: better than `best ∓ threshold` (`"abs"`).
    Abs,
}

/// Settings of [`ReduceLROnPlateau`] with PyTorch's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct ReduceLROnPlateauConfig {
    /// `mode` (default [`PlateauMode::Min`]).
    pub mode: PlateauMode,
    /// Multiplier applied to the lr on a plateau (`factor`, default 0.1, must be < 1).
    pub factor: f64,
    /// Epochs without improvement tolerated before cutting (`patience`, default 10).
    pub patience: usize,
    /// Minimum significant change (`threshold`, default 1e-4).
    pub threshold: f64,
    /// `threshold_mode` (default [`ThresholdMode::Rel`]).
    pub threshold_mode: ThresholdMode,
    /// Epochs to wait after a cut before counting bad epochs again (`cooldown`, default 0).
    pub cooldown: usize,
    /// Lower bound of the lr, one per group or one for all (`min_lr`, default 0).
    pub min_lr: Vec<f64>,
    /// Cuts smaller than this are skipped (`eps`, default 1e-8).
    pub eps: f64,
}

impl Default for ReduceLROnPlateauConfig {
    fn default() -> Self {
        ReduceLROnPlateauConfig {
            mode: PlateauMode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: vec![0.0],
            eps: 1e-8,
        }
    }
}

/// `torch.optim.lr_scheduler.ReduceLROnPlateau`: after more than `patience` epochs without a
/// significant improvement of the metric passed to [`ReduceLROnPlateau::step`], every group's
/// lr becomes `max(lr · factor, min_lr)`, then `cooldown` epochs pass before bad epochs count
/// again. Unlike the other schedules it takes no construction step.
#[derive(Clone, Debug)]
pub struct ReduceLROnPlateau {
    config: ReduceLROnPlateauConfig,
    best: f64,
    num_bad_epochs: usize,
    cooldown_counter: usize,
    last_epoch: i64,
    last_lr: Vec<f64>,
}

impl ReduceLROnPlateau {
    /// Attaches to `opt`. Panics, as PyTorch raises, if `factor >= 1` or the number of
    /// `min_lr`s is neither 1 nor the group count.
    pub fn new(opt: &mut dyn Optimizer, config: ReduceLROnPlateauConfig) -> Self {
        assert!(
            config.factor < 1.0,
            "ReduceLROnPlateau: Factor should be < 1.0."
        );
        let n = opt.num_param_groups();
        assert!(
            config.min_lr.len() == 1 || config.min_lr.len() == n,
            "ReduceLROnPlateau: expected {n} min_lrs, got {}",
            config.min_lr.len()
        );
        let best = worst(config.mode);
        ReduceLROnPlateau {
            config,
            best,
            num_bad_epochs: 0,
            cooldown_counter: 0,
            last_epoch: 0,
            last_lr: opt.lrs(),
        }
    }

    /// Records the epoch's `metric` and cuts the lrs on a plateau (`scheduler.step(metrics)`).
    pub fn step(&mut self, opt: &mut dyn Optimizer, metric: f64) {
        self.last_epoch += 1;
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        if self.num_bad_epochs > self.config.patience {
            self.reduce(opt);
            self.cooldown_counter = self.config.cooldown;
            self.num_bad_epochs = 0;
        }
        self.last_lr = opt.lrs();
    }

    /// The groups' learning rates after the latest step (`get_last_lr()`).
    pub fn get_last_lr(&self) -> Vec<f64> {
        self.last_lr.clone()
    }

    /// The best metric seen so far (`best`).
    pub fn best(&self) -> f64 {
        self.best
    }

    /// Epochs since the last improvement (`num_bad_epochs`).
    pub fn num_bad_epochs(&self) -> usize {
        self.num_bad_epochs
    }

    fn reduce(&self, opt: &mut dyn Optimizer) {
        for g in 0..opt.num_param_groups() {
            let min_lr = if self.config.min_lr.len() == 1 {
                self.config.min_lr[0]
            } else {
                self.config.min_lr[g]
            };
            let old = opt.lr(g);
            let new = (old * self.config.factor).max(min_lr);
            if old - new > self.config.eps {
                opt.set_lr(g, new);
            }
        }
    }

    fn is_better(&self, a: f64) -> bool {
        let (best, t) = (self.best, self.config.threshold);
        match (self.config.mode, self.config.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => a < best * (1.0 - t),
            (PlateauMode::Min, ThresholdMode::Abs) => a < best - t,
            (PlateauMode::Max, ThresholdMode::Rel) => a > best * (t + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => a > best + t,
        }
    }
}

fn worst(mode: PlateauMode) -> f64 {
    match mode {
        PlateauMode::Min => f64::INFINITY,
        PlateauMode::Max => f64::NEG_INFINITY,
    }
}
