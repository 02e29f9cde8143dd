//! [`EarlyStoppingCallback`]: stop when the best-model metric stops improving (HF's
//! `EarlyStoppingCallback`).

use serde::{Deserialize, Serialize};

use crate::training::args::TrainingArguments;
use crate::training::callback::Callback;
use crate::training::control::TrainerControl;
use crate::training::error::TrainerError;
use crate::training::state::{Metrics, TrainerState};

/// Stops training after `early_stopping_patience` evaluations in a row that do not improve
/// `metric_for_best_model` by more than `early_stopping_threshold` over the best so far
/// (HF's `EarlyStoppingCallback`; needs `metric_for_best_model` or
/// `load_best_model_at_end`). The counter is saved in checkpoints.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EarlyStoppingCallback {
    /// Evaluations without improvement before stopping (HF default 1).
    pub early_stopping_patience: usize,
    /// The improvement that counts (HF default 0).
    pub early_stopping_threshold: f64,
    /// Evaluations without improvement so far.
    pub early_stopping_patience_counter: usize,
}

impl EarlyStoppingCallback {
    /// Stop after `patience` evaluations without an improvement above `threshold`.
    pub fn new(patience: usize, threshold: f64) -> Self {
        EarlyStoppingCallback {
            early_stopping_patience: patience,
            early_stopping_threshold: threshold,
            early_stopping_patience_counter: 0,
        }
    }
}

impl Default for EarlyStoppingCallback {
    fn default() -> Self {
        EarlyStoppingCallback::new(1, 0.0)
    }
}

impl Callback for EarlyStoppingCallback {
    fn name(&self) -> String {
        "EarlyStoppingCallback".into()
    }

    fn on_evaluate(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
        metrics: &Metrics,
    ) {
        let Some(value) = args
            .best_metric_key()
            .and_then(|k| metrics.get(&k).copied())
        else {
            return;
        };
        let improved = match state.best_metric {
            None => true,
            Some(best) => {
                let better = if args.greater_is_better() {
                    value > best
                } else {
                    value < best
                };
                better && (value - best).abs() > self.early_stopping_threshold
            }
        };
        if improved {
            self.early_stopping_patience_counter = 0;
        } else {
            self.early_stopping_patience_counter += 1;
        }
        if self.early_stopping_patience_counter >= self.early_stopping_patience {
            control.should_training_stop = true;
        }
    }

    fn state(&self) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()
    }

    fn load_state(&mut self, state: &serde_json::Value) -> Result<(), TrainerError> {
        *self = serde_json::from_value(state.clone()).map_err(|e| TrainerError::CallbackState {
            callback: self.name(),
            reason: e.to_string(),
        })?;
        Ok(())
    }
}
