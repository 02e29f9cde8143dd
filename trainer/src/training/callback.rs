//! The [`Callback`] trait: hooks into the training loop (HF's `TrainerCallback`).

use crate::training::args::TrainingArguments;
use crate::training::control::TrainerControl;
use crate::training::error::TrainerError;
use crate::training::state::{Metrics, TrainerState};

/// Code the Trainer runs at fixed points of the loop (HF's `TrainerCallback`). Every hook
/// sees the arguments and state and may set [`TrainerControl`] flags; all default to doing
/// nothing. Callbacks run in the order they were added.
///
/// A callback with state that must survive a resume (an early-stopping counter) returns it
/// from [`Callback::state`]; it is saved in `trainer_state.json` under
/// `stateful_callbacks.<name>` and handed back to [`Callback::load_state`].
#[allow(unused_variables)]
pub trait Callback {
    /// The name its state is saved under (HF uses the class name).
    fn name(&self) -> String;

    /// Before the first step.
    fn on_train_begin(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// After the last step.
    fn on_train_end(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// At the start of each epoch.
    fn on_epoch_begin(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// At the end of each epoch.
    fn on_epoch_end(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// Before the first batch of each optimizer step.
    fn on_step_begin(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// After each optimizer step (`state.global_step` already counts it).
    fn on_step_end(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// After an evaluation, with its metrics (`eval_loss`, `eval_<metric>`, …).
    fn on_evaluate(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
        metrics: &Metrics,
    ) {
    }

    /// After a checkpoint was written.
    fn on_save(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
    ) {
    }

    /// After a log entry was added to `state.log_history`.
    fn on_log(
        &mut self,
        args: &TrainingArguments,
        state: &TrainerState,
        control: &mut TrainerControl,
        logs: &Metrics,
    ) {
    }

    /// State to save in checkpoints (HF's `ExportableState.state()`); `None` for none.
    fn state(&self) -> Option<serde_json::Value> {
        None
    }

    /// Restores what [`Callback::state`] returned, on resume.
    fn load_state(&mut self, state: &serde_json::Value) -> Result<(), TrainerError> {
        Ok(())
    }
}
