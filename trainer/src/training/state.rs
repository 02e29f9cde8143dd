//! [`TrainerState`]: where a run is, what it logged and which checkpoint is best, saved as
//! Hugging Face's `trainer_state.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Named numbers: the metrics of an evaluation or the values of one log entry.
pub type Metrics = BTreeMap<String, f64>;

/// One entry of the log history: the values logged and the optimizer step they were
/// logged at (HF's `{"loss": …, "learning_rate": …, "epoch": …, "step": …}`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The values (`loss`, `grad_norm`, `learning_rate`, `epoch`, `eval_*`, `train_*`);
    /// non-finite ones are written as `"NaN"` / `"Infinity"` / `"-Infinity"`.
    #[serde(flatten, with = "crate::training::json_float")]
    pub values: Metrics,
    /// The optimizer step (`global_step`) when they were logged.
    pub step: usize,
}

/// The state of a run (HF's `TrainerState`), given to every callback and written to each
/// checkpoint's `trainer_state.json` in HF's layout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainerState {
    /// Epochs done, with the fraction of the current one (`epoch + (batch + 1) / batches`).
    pub epoch: f64,
    /// Optimizer steps done.
    pub global_step: usize,
    /// Optimizer steps the run will take.
    pub max_steps: usize,
    /// Log every this many steps (resolved from the arguments).
    pub logging_steps: usize,
    /// Evaluate every this many steps.
    pub eval_steps: usize,
    /// Save every this many steps.
    pub save_steps: usize,
    /// Training batch size.
    pub train_batch_size: usize,
    /// Epochs the run loops over.
    pub num_train_epochs: usize,
    /// Always 0: Kiln does not count FLOPs (kept for HF's layout).
    pub total_flos: f64,
    /// Every log entry, in order.
    pub log_history: Vec<LogEntry>,
    /// The best value of the best-model metric so far.
    pub best_metric: Option<f64>,
    /// The step of that best value.
    pub best_global_step: Option<usize>,
    /// The folder of the best checkpoint saved so far.
    pub best_model_checkpoint: Option<String>,
    /// Always true: one process.
    pub is_local_process_zero: bool,
    /// Always true: one process.
    pub is_world_process_zero: bool,
    /// Always false.
    pub is_hyper_param_search: bool,
    /// The saved state of every callback that has one, by name (HF's `stateful_callbacks`).
    pub stateful_callbacks: BTreeMap<String, serde_json::Value>,
    /// Optimizer steps per epoch of this run (not in HF's file; set by the Trainer).
    #[serde(skip)]
    pub num_update_steps_per_epoch: usize,
}

impl Default for TrainerState {
    fn default() -> Self {
        TrainerState {
            epoch: 0.0,
            global_step: 0,
            max_steps: 0,
            logging_steps: 500,
            eval_steps: 500,
            save_steps: 500,
            train_batch_size: 8,
            num_train_epochs: 0,
            total_flos: 0.0,
            log_history: Vec::new(),
            best_metric: None,
            best_global_step: None,
            best_model_checkpoint: None,
            is_local_process_zero: true,
            is_world_process_zero: true,
            is_hyper_param_search: false,
            stateful_callbacks: BTreeMap::new(),
            num_update_steps_per_epoch: 0,
        }
    }
}

impl TrainerState {
    /// The state as pretty JSON (`trainer_state.json`).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).expect("TrainerState always serialises")
    }
}
