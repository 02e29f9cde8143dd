//! [`Learner::lr_find`]: the learning-rate range test (Smith, "Cyclical Learning Rates for
//! Training Neural Networks", <https://arxiv.org/abs/1506.01186>), as fastai's `lr_find` and
//! ktrain's `learner.lr_find()` run it.

use kiln_autograd::no_grad;
use kiln_data::{Collate, Dataset};
use kiln_nn::Module;
use kiln_tensor::manual_seed;

use super::{Learner, LearnerError};
use crate::report::{LineChart, Series};
use crate::training::args::TrainingArguments;
use crate::training::schedule::create_optimizer;

/// Settings of the range test; `Default` is fastai's `lr_find(start_lr=1e-7, end_lr=10,
/// num_it=100, stop_div=True)` with ktrain's stop factor and smoothing.
#[derive(Clone, Debug, PartialEq)]
pub struct LrFindConfig {
    /// The first learning rate (default 1e-7).
    pub start_lr: f64,
    /// The learning rate reached at the last step, if the sweep gets there (default 10).
    pub end_lr: f64,
    /// Optimizer steps at most (fastai's `num_it`, default 100); the data is cycled through
    /// as many epochs as that takes.
    pub max_steps: usize,
    /// Stop once the smoothed loss exceeds this many times the best so far (ktrain's
    /// `stop_factor`, default 4), or is not finite.
    pub stop_factor: f64,
    /// Weight of the old value in the loss's exponential moving average (default 0.98).
    pub beta: f64,
    /// Points left out at the start of the curve when suggesting a rate (default 10,
    /// fastai v1's `skip_start`).
    pub skip_start: usize,
    /// Points left out at the end of the curve when suggesting a rate (default 5, fastai
    /// v1's `skip_end`): the last points are where the loss blows up.
    pub skip_end: usize,
}

impl Default for LrFindConfig {
    fn default() -> Self {
        LrFindConfig {
            start_lr: 1e-7,
            end_lr: 10.0,
            max_steps: 100,
            stop_factor: 4.0,
            beta: 0.98,
            skip_start: 10,
            skip_end: 5,
        }
    }
}

impl LrFindConfig {
    fn check(&self) -> Result<(), LearnerError> {
        let invalid = |key, reason: String| Err(LearnerError::Invalid { key, reason });
        if self.start_lr.is_nan() || self.start_lr <= 0.0 || self.start_lr.is_infinite() {
            return invalid(
                "start_lr",
                format!("{} is not a positive rate", self.start_lr),
            );
        }
        if self.end_lr.is_nan() || self.end_lr <= self.start_lr || self.end_lr.is_infinite() {
            return invalid(
                "end_lr",
                format!("{} is not above start_lr {}", self.end_lr, self.start_lr),
            );
        }
        if self.max_steps < 2 {
            return invalid("max_steps", format!("{} is below 2", self.max_steps));
        }
        if !(0.0..1.0).contains(&self.beta) {
            return invalid("beta", format!("{} is not in [0, 1)", self.beta));
        }
        if self.stop_factor.is_nan() || self.stop_factor <= 1.0 {
            return invalid(
                "stop_factor",
                format!("{} is not above 1", self.stop_factor),
            );
        }
        Ok(())
    }
}

/// The curve of a range test and the rates it suggests (what ktrain's `lr_plot` draws and
/// `lr_estimate` returns). Plot `losses` against `lrs` on a log x axis.
#[derive(Clone, Debug, PartialEq)]
pub struct LrFindResult {
    /// The learning rate of each step: `start_lr · (end_lr / start_lr)^(i / (max_steps−1))`.
    pub lrs: Vec<f64>,
    /// The smoothed loss after each step: the bias-corrected moving average
    /// `avg ← β·avg + (1−β)·loss`, `avg / (1 − β^(i+1))` (fastai and ktrain).
    pub losses: Vec<f64>,
    /// The batch loss of each step, unsmoothed.
    pub raw_losses: Vec<f64>,
    /// Whether the sweep stopped before `max_steps` because the loss diverged.
    pub diverged: bool,
    /// The rate at the steepest descent of the smoothed curve: the minimum of
    /// `np.gradient(losses[skip_start:-skip_end])` (fastai v1's `suggestion=True`, ktrain's
    /// second estimate). `None` when fewer than 2 points remain after the skips.
    pub suggested_lr: Option<f64>,
    /// The rate at the smoothed curve's minimum divided by 10 (the rule of thumb of fastai
    /// and ktrain's first estimate), over the same points. `None` as above.
    pub min_loss_lr_over_10: Option<f64>,
}

/// The index of the steepest descent of `losses` (the minimum of numpy's `np.gradient`:
/// central differences inside, one-sided differences at both ends); `None` below 2 points.
pub fn steepest_descent_index(losses: &[f64]) -> Option<usize> {
    let n = losses.len();
    if n < 2 {
        return None;
    }
    let gradient = |i: usize| -> f64 {
        if i == 0 {
            losses[1] - losses[0]
        } else if i == n - 1 {
            losses[n - 1] - losses[n - 2]
        } else {
            (losses[i + 1] - losses[i - 1]) / 2.0
        }
    };
    (0..n)
        .map(|i| (i, gradient(i)))
        .filter(|(_, g)| !g.is_nan())
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

impl LrFindResult {
    /// The range test's plot (ktrain's `learner.lr_plot()`): smoothed loss against the
    /// learning rate on a log axis; write it with `to_svg` / `write_png`.
    pub fn plot(&self) -> LineChart {
        let points = self
            .lrs
            .iter()
            .copied()
            .zip(self.losses.iter().copied())
            .collect();
        LineChart::new("Learning-rate range test")
            .with_labels("learning rate (log scale)", "smoothed loss")
            .with_log_x(true)
            .with_series(Series::new("loss", points))
    }

    fn suggest(mut self, config: &LrFindConfig) -> Self {
        let end = self.losses.len().saturating_sub(config.skip_end);
        let start = config.skip_start.min(end);
        let window = &self.losses[start..end];
        if window.len() >= 2 {
            self.suggested_lr = steepest_descent_index(window).map(|i| self.lrs[start + i]);
            self.min_loss_lr_over_10 = window
                .iter()
                .enumerate()
                .filter(|(_, l)| !l.is_nan())
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| self.lrs[start + i] / 10.0);
        }
        self
    }
}

impl<M, D, C, B> Learner<M, D, C, B>
where
    M: Module + 'static,
    D: Dataset + 'static,
    C: Collate<D::Item, Batch = B> + Clone + 'static,
    B: 'static,
{
    /// Runs the range test and puts the model's weights back as they were (ktrain's
    /// `learner.lr_find()`, which also saves and reloads the weights).
    ///
    /// Trains from `start_lr` with the learning rate multiplied by a constant factor after
    /// every step, so that step `max_steps − 1` would run at `end_lr`; the optimizer is the
    /// one the arguments describe (AdamW by default), fresh, with the global generator seeded
    /// with `seed` and the data shuffled as the Trainer does. The sweep stops early when the
    /// smoothed loss exceeds `stop_factor` times its best or is not finite. The optimizer's
    /// state is discarded and every parameter and buffer restored; the global generator is
    /// not (dropout draws advanced it). Plotting the curve is left to the caller.
    pub fn lr_find(&mut self, config: &LrFindConfig) -> Result<LrFindResult, LearnerError> {
        config.check()?;
        let args = TrainingArguments {
            learning_rate: config.start_lr,
            ..self.args().clone()
        };
        args.validate()?;
        let model = self.shared_model();
        let saved = {
            let _no_grad = no_grad();
            model.state_dict()
        };
        let was_training = model.is_training();
        let loader = self.train_loader();
        if loader.is_empty() {
            return Err(LearnerError::EmptyDataset);
        }
        manual_seed(args.seed);
        model.train(true);
        let mut optimizer = create_optimizer(model.named_parameters(), &args);
        let factor = (config.end_lr / config.start_lr).powf(1.0 / (config.max_steps - 1) as f64);
        let mut result = LrFindResult {
            lrs: Vec::new(),
            losses: Vec::new(),
            raw_losses: Vec::new(),
            diverged: false,
            suggested_lr: None,
            min_loss_lr_over_10: None,
        };
        let (mut avg, mut best) = (0.0f64, f64::INFINITY);
        let mut epoch = 0u64;
        'sweep: while result.lrs.len() < config.max_steps {
            let before = result.lrs.len();
            for batch in loader.iter_epoch(epoch) {
                let step = result.lrs.len();
                if step == config.max_steps {
                    break 'sweep;
                }
                let lr = config.start_lr * factor.powi(step as i32);
                for group in 0..optimizer.num_param_groups() {
                    optimizer.set_lr(group, lr);
                }
                let loss = (self.compute_loss)(&model, &batch).loss;
                loss.backward();
                optimizer.step();
                optimizer.zero_grad(true);
                let raw = loss
                    .value()
                    .to_vec::<f64>()
                    .first()
                    .copied()
                    .unwrap_or(f64::NAN);
                avg = config.beta * avg + (1.0 - config.beta) * raw;
                let smoothed = avg / (1.0 - config.beta.powi(step as i32 + 1));
                result.lrs.push(lr);
                result.raw_losses.push(raw);
                result.losses.push(smoothed);
                if !smoothed.is_finite() || (step > 0 && smoothed > config.stop_factor * best) {
                    result.diverged = true;
                    break 'sweep;
                }
                best = best.min(smoothed);
            }
            if result.lrs.len() == before {
                break;
            }
            epoch += 1;
        }
        drop(optimizer);
        let restored = model.load_state_dict(&saved, true);
        model.train(was_training);
        restored.map_err(LearnerError::Restore)?;
        Ok(result.suggest(config))
    }
}
