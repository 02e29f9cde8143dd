//! [`TrainerControl`] and Hugging Face's default flow: at which steps and epochs the Trainer
//! logs, evaluates, saves and stops (`DefaultFlowCallback`).

use serde::{Deserialize, Serialize};

use crate::training::args::{IntervalStrategy, TrainingArguments};
use crate::training::state::TrainerState;

/// What the Trainer should do next (HF's `TrainerControl`). Callbacks set these flags; the
/// Trainer acts on them and clears them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainerControl {
    /// Stop training after this step.
    pub should_training_stop: bool,
    /// End the current epoch after this step.
    pub should_epoch_stop: bool,
    /// Write a checkpoint now.
    pub should_save: bool,
    /// Evaluate now.
    pub should_evaluate: bool,
    /// Log the training loss now.
    pub should_log: bool,
}

/// HF's `DefaultFlowCallback.on_step_end`: log, evaluate and save on the steps the
/// strategies name; stop (with a final save and evaluation under the step strategies) at
/// `max_steps`.
pub fn flow_on_step_end(
    args: &TrainingArguments,
    state: &TrainerState,
    control: &mut TrainerControl,
) {
    let step = state.global_step;
    if step == 1 && args.logging_first_step {
        control.should_log = true;
    }
    if args.logging_strategy == IntervalStrategy::Steps && step.is_multiple_of(state.logging_steps)
    {
        control.should_log = true;
    }
    let eval_due = args.eval_strategy == IntervalStrategy::Steps && args.eval_delay <= step as f64;
    if eval_due && step.is_multiple_of(state.eval_steps) {
        control.should_evaluate = true;
    }
    if args.save_strategy == IntervalStrategy::Steps
        && state.save_steps > 0
        && step.is_multiple_of(state.save_steps)
    {
        control.should_save = true;
    }
    if step >= state.max_steps {
        control.should_training_stop = true;
        if eval_due && !step.is_multiple_of(state.eval_steps) {
            control.should_evaluate = true;
        }
        if args.save_strategy == IntervalStrategy::Steps {
            control.should_save = true;
        }
    }
}

/// HF's `DefaultFlowCallback.on_epoch_end`: log, evaluate and save under the epoch
/// strategies.
pub fn flow_on_epoch_end(
    args: &TrainingArguments,
    state: &TrainerState,
    control: &mut TrainerControl,
) {
    if args.logging_strategy == IntervalStrategy::Epoch {
        control.should_log = true;
    }
    if args.eval_strategy == IntervalStrategy::Epoch && args.eval_delay <= state.epoch {
        control.should_evaluate = true;
    }
    if args.save_strategy == IntervalStrategy::Epoch {
        control.should_save = true;
    }
}
