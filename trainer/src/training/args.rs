//! [`TrainingArguments`]: Hugging Face's `transformers.TrainingArguments`, with its names and
//! defaults, loadable from JSON or TOML with a typed error naming any bad key.

use std::path::{Path, PathBuf};

use kiln_tensor::DType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::training::error::ArgsError;

/// When logging, evaluation or saving happens (HF's `IntervalStrategy`; `best` is only a
/// [`TrainingArguments::save_strategy`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IntervalStrategy {
    /// Never.
    No,
    /// Every `*_steps` optimizer steps.
    Steps,
    /// At the end of every epoch.
    Epoch,
    /// Whenever an evaluation gives a new best `metric_for_best_model` (saving only).
    Best,
}

/// The optimizer the Trainer builds (HF's `optim`): PyTorch's update rules with the
/// arguments' learning rate, betas, epsilon and weight decay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerName {
    /// `torch.optim.AdamW` (HF's default; `adamw_torch_fused` and `adamw` are the same rule).
    #[serde(alias = "adamw_torch_fused", alias = "adamw")]
    AdamwTorch,
    /// `torch.optim.SGD` without momentum.
    Sgd,
    /// `torch.optim.Adagrad`.
    Adagrad,
    /// `torch.optim.RMSprop`.
    Rmsprop,
}

/// The learning-rate schedule (HF's `lr_scheduler_type`), each with the linear warmup of
/// `warmup_steps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchedulerType {
    /// Linear decay to 0 (`get_linear_schedule_with_warmup`).
    Linear,
    /// Half a cosine to 0 (`get_cosine_schedule_with_warmup`).
    Cosine,
    /// One hard-restart cosine cycle (`get_cosine_with_hard_restarts_schedule_with_warmup`).
    CosineWithRestarts,
    /// Linear (power 1) decay to 1e-7 (`get_polynomial_decay_schedule_with_warmup`).
    Polynomial,
    /// Constant (`get_constant_schedule`).
    Constant,
    /// Warmup then constant (`get_constant_schedule_with_warmup`).
    ConstantWithWarmup,
    /// PyTorch's `OneCycleLR` peaking at `learning_rate` (ktrain's `fit_onecycle`).
    OneCycle,
}

/// Everything that configures a [`crate::Trainer`] run (HF's `TrainingArguments`). Field
/// names, meanings and defaults are Hugging Face's; `Default` gives HF's defaults with
/// `output_dir = "trainer_output"`. Step counts below 1 (`logging_steps`, `eval_steps`,
/// `save_steps`, `warmup_steps`) are fractions of the total optimizer steps, as in HF.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingArguments {
    /// Folder of checkpoints (`checkpoint-<step>/`), logs and the final report.
    pub output_dir: PathBuf,
    /// Epochs to run when `max_steps` is not positive; a fraction runs part of the last one.
    pub num_train_epochs: f64,
    /// Total optimizer steps; overrides `num_train_epochs` when positive (default -1).
    pub max_steps: i64,
    /// Training batch size (default 8).
    pub per_device_train_batch_size: usize,
    /// Evaluation and prediction batch size (default 8).
    pub per_device_eval_batch_size: usize,
    /// Peak learning rate (default 5e-5).
    pub learning_rate: f64,
    /// Weight decay of every parameter except biases and LayerNorm weights (default 0).
    pub weight_decay: f64,
    /// Adam's β₁ (default 0.9).
    pub adam_beta1: f64,
    /// Adam's β₂ (default 0.999).
    pub adam_beta2: f64,
    /// Adam's ε (default 1e-8).
    pub adam_epsilon: f64,
    /// Gradient clipping norm; 0 turns clipping off (default 1.0).
    pub max_grad_norm: f64,
    /// The optimizer (default `adamw_torch`).
    pub optim: OptimizerName,
    /// The schedule (default `linear`).
    pub lr_scheduler_type: SchedulerType,
    /// Warmup optimizer steps; below 1, a fraction of the total (default 0).
    pub warmup_steps: f64,
    /// HF 4's warmup fraction, used when `warmup_steps` is 0 (default 0).
    pub warmup_ratio: f64,
    /// Batches whose gradients add up into one optimizer step; each loss is divided by the
    /// number of batches in its step, as HF does (default 1).
    pub gradient_accumulation_steps: usize,
    /// When to evaluate (default `no`).
    pub eval_strategy: IntervalStrategy,
    /// Evaluate every this many steps; `None` means `logging_steps`.
    pub eval_steps: Option<f64>,
    /// Steps (or epochs, with the epoch strategy) before the first evaluation (default 0).
    pub eval_delay: f64,
    /// When to write a checkpoint (default `steps`).
    pub save_strategy: IntervalStrategy,
    /// Save every this many steps (default 500).
    pub save_steps: f64,
    /// Checkpoints kept; the oldest go first, never the best or the latest (default no limit).
    pub save_total_limit: Option<usize>,
    /// When to log (default `steps`).
    pub logging_strategy: IntervalStrategy,
    /// Log every this many steps (default 500).
    pub logging_steps: f64,
    /// Also log after the first step (default false).
    pub logging_first_step: bool,
    /// A NaN or infinite loss adds the running mean instead of itself to the logged loss
    /// (default true).
    pub logging_nan_inf_filter: bool,
    /// Load the best checkpoint's weights when training ends (default false).
    pub load_best_model_at_end: bool,
    /// The evaluation metric that picks the best checkpoint (`eval_` is prefixed when absent);
    /// `loss` when `load_best_model_at_end` is set and this is not.
    pub metric_for_best_model: Option<String>,
    /// Whether a larger metric is better; by default true unless the metric is the loss.
    pub greater_is_better: Option<bool>,
    /// Seed of the global generator at the start of training: initialisation and dropout
    /// (default 42).
    pub seed: u64,
    /// Seed of the training data order; `seed` when `None`.
    pub data_seed: Option<u64>,
    /// Drop the last short training batch (default false).
    pub dataloader_drop_last: bool,
    /// Worker threads loading batches; the batch order does not depend on it (default 0).
    pub dataloader_num_workers: usize,
    /// Under `mpirun`: MiB of gradients per all-reduce bucket (`ddp_bucket_cap_mb`; `None`
    /// is PyTorch's 25).
    pub ddp_bucket_cap_mb: Option<usize>,
    /// fp16 mixed precision (default false): the loss is computed under
    /// `kiln_autograd::autocast(F16)` (matmuls and linear layers in f16; softmax, layer norm
    /// and losses in f32; f32 master weights) and scaled by a `GradScaler`, whose overflowed
    /// steps are skipped and counted in the log as `amp_skipped_steps`.
    pub fp16: bool,
    /// bf16 mixed precision (default false): autocast to bf16, no loss scaling (bf16 has
    /// f32's range).
    pub bf16: bool,
    /// Where logs go besides the progress output and `output_dir/log.jsonl`: only `"none"` is
    /// known (HF's default).
    pub report_to: Vec<String>,
    /// No progress bar or progress lines (default false).
    pub disable_tqdm: bool,
}

impl Default for TrainingArguments {
    fn default() -> Self {
        TrainingArguments {
            output_dir: PathBuf::from("trainer_output"),
            num_train_epochs: 3.0,
            max_steps: -1,
            per_device_train_batch_size: 8,
            per_device_eval_batch_size: 8,
            learning_rate: 5e-5,
            weight_decay: 0.0,
            adam_beta1: 0.9,
            adam_beta2: 0.999,
            adam_epsilon: 1e-8,
            max_grad_norm: 1.0,
            optim: OptimizerName::AdamwTorch,
            lr_scheduler_type: SchedulerType::Linear,
            warmup_steps: 0.0,
            warmup_ratio: 0.0,
            gradient_accumulation_steps: 1,
            eval_strategy: IntervalStrategy::No,
            eval_steps: None,
            eval_delay: 0.0,
            save_strategy: IntervalStrategy::Steps,
            save_steps: 500.0,
            save_total_limit: None,
            logging_strategy: IntervalStrategy::Steps,
            logging_steps: 500.0,
            logging_first_step: false,
            logging_nan_inf_filter: true,
            load_best_model_at_end: false,
            metric_for_best_model: None,
            greater_is_better: None,
            seed: 42,
            data_seed: None,
            dataloader_drop_last: false,
            dataloader_num_workers: 0,
            ddp_bucket_cap_mb: None,
            fp16: false,
            bf16: false,
            report_to: vec!["none".into()],
            disable_tqdm: false,
        }
    }
}

impl TrainingArguments {
    /// HF's defaults writing into `output_dir`.
    pub fn new(output_dir: impl Into<PathBuf>) -> Self {
        TrainingArguments {
            output_dir: output_dir.into(),
            ..TrainingArguments::default()
        }
    }

    /// Arguments from a JSON object; keys left out keep their defaults. The result is
    /// validated.
    pub fn from_json_str(text: &str) -> Result<Self, ArgsError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ArgsError::Syntax {
            format: "JSON",
            message: e.to_string(),
        })?;
        Self::from_value(value)
    }

    /// Arguments from a TOML table; keys left out keep their defaults. The result is
    /// validated.
    pub fn from_toml_str(text: &str) -> Result<Self, ArgsError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ArgsError::Syntax {
            format: "TOML",
            message: e.to_string(),
        })?;
        Self::from_toml_table(table)
    }

    /// Arguments from a parsed TOML table (the `[training]` table of a `kiln.toml`); keys
    /// left out keep their defaults. The result is validated.
    pub fn from_toml_table(table: toml::Table) -> Result<Self, ArgsError> {
        let value = serde_json::to_value(table).map_err(|e| ArgsError::Syntax {
            format: "TOML",
            message: e.to_string(),
        })?;
        Self::from_value(value)
    }

    /// Arguments from a `.json` or `.toml` file (chosen by the extension).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ArgsError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ArgsError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let parsed = match extension.to_ascii_lowercase().as_str() {
            "json" => Self::from_json_str(&text),
            "toml" => Self::from_toml_str(&text),
            _ => {
                return Err(ArgsError::UnknownFormat {
                    path: path.to_path_buf(),
                });
            }
        };
        parsed.map_err(|e| e.in_file(path))
    }

    /// The arguments as pretty JSON (what a checkpoint's `training_args.json` holds).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(self).expect("TrainingArguments always serialises")
    }

    fn from_value(value: Value) -> Result<Self, ArgsError> {
        let Value::Object(given) = value else {
            return Err(ArgsError::NotATable);
        };
        let known = Self::known_keys();
        if let Some(key) = given.keys().find(|k| !known.contains(k)) {
            return Err(ArgsError::UnknownKey {
                key: key.clone(),
                known,
            });
        }
        // Deserialise one key at a time first, so an ill-typed value is reported by name.
        for (key, value) in &given {
            let mut single = Map::new();
            single.insert(key.clone(), value.clone());
            if let Err(e) = serde_json::from_value::<TrainingArguments>(Value::Object(single)) {
                return Err(ArgsError::WrongType {
                    key: key.clone(),
                    message: e.to_string(),
                });
            }
        }
        let args: TrainingArguments =
            serde_json::from_value(Value::Object(given)).map_err(|e| ArgsError::WrongType {
                key: String::new(),
                message: e.to_string(),
            })?;
        args.validate()?;
        Ok(args)
    }

    /// Every key the arguments accept.
    pub fn known_keys() -> Vec<String> {
        match serde_json::to_value(TrainingArguments::default()) {
            Ok(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// Checks the combinations Hugging Face rejects in `TrainingArguments.__post_init__`, and
    /// what Kiln cannot do yet; the error names the key.
    pub fn validate(&self) -> Result<(), ArgsError> {
        let invalid = |key: &str, reason: String| {
            Err(ArgsError::Invalid {
                key: key.to_string(),
                reason,
            })
        };
        if self.per_device_train_batch_size == 0 {
            return invalid("per_device_train_batch_size", "must be at least 1".into());
        }
        if self.per_device_eval_batch_size == 0 {
            return invalid("per_device_eval_batch_size", "must be at least 1".into());
        }
        if self.gradient_accumulation_steps == 0 {
            return invalid("gradient_accumulation_steps", "must be at least 1".into());
        }
        if self.max_steps <= 0
            && !(self.num_train_epochs > 0.0 && self.num_train_epochs.is_finite())
        {
            return invalid(
                "num_train_epochs",
                format!(
                    "is {} with max_steps {}: one of them must be positive",
                    self.num_train_epochs, self.max_steps
                ),
            );
        }
        for (key, value) in [
            ("learning_rate", self.learning_rate),
            ("weight_decay", self.weight_decay),
            ("adam_epsilon", self.adam_epsilon),
            ("max_grad_norm", self.max_grad_norm),
            ("warmup_steps", self.warmup_steps),
            ("warmup_ratio", self.warmup_ratio),
            ("eval_delay", self.eval_delay),
        ] {
            if !(value >= 0.0 && value.is_finite()) {
                return invalid(key, format!("is {value}: must be finite and >= 0"));
            }
        }
        for (key, value) in [
            ("adam_beta1", self.adam_beta1),
            ("adam_beta2", self.adam_beta2),
        ] {
            if !(0.0..1.0).contains(&value) {
                return invalid(key, format!("is {value}: must be in [0, 1)"));
            }
        }
        if self.warmup_ratio > 1.0 {
            return invalid("warmup_ratio", "must be at most 1".into());
        }
        for (key, strategy) in [
            ("eval_strategy", self.eval_strategy),
            ("logging_strategy", self.logging_strategy),
        ] {
            if strategy == IntervalStrategy::Best {
                return invalid(key, "`best` is only a save_strategy".into());
            }
        }
        let steps = [
            (
                "logging_steps",
                self.logging_strategy,
                Some(self.logging_steps),
            ),
            ("eval_steps", self.eval_strategy, self.eval_steps),
            ("save_steps", self.save_strategy, Some(self.save_steps)),
        ];
        for (key, strategy, value) in steps {
            if strategy != IntervalStrategy::Steps {
                continue;
            }
            if let Some(v) = value
                && !(v > 0.0 && v.is_finite() && (v < 1.0 || v.fract() == 0.0))
            {
                return invalid(
                    key,
                    format!("is {v}: must be a positive whole number, or a fraction below 1"),
                );
            }
        }
        if self.load_best_model_at_end {
            if self.save_strategy != IntervalStrategy::Best
                && self.eval_strategy != self.save_strategy
            {
                return invalid(
                    "load_best_model_at_end",
                    format!(
                        "needs save_strategy ({:?}) to match eval_strategy ({:?})",
                        self.save_strategy, self.eval_strategy
                    ),
                );
            }
            let eval_steps = self.eval_steps.unwrap_or(self.logging_steps);
            if self.eval_strategy == IntervalStrategy::Steps
                && self.save_strategy == IntervalStrategy::Steps
                && eval_steps >= 1.0
                && self.save_steps >= 1.0
                && self.save_steps % eval_steps != 0.0
            {
                return invalid(
                    "save_steps",
                    format!(
                        "is {}: with load_best_model_at_end it must be a multiple of eval_steps ({eval_steps})",
                        self.save_steps
                    ),
                );
            }
        }
        if self.save_strategy == IntervalStrategy::Best && self.metric_for_best_model.is_none() {
            return invalid(
                "metric_for_best_model",
                "save_strategy `best` needs a metric".into(),
            );
        }
        if self.fp16 && self.bf16 {
            return invalid("bf16", "cannot be set together with fp16".into());
        }
        if let Some(target) = self.report_to.iter().find(|t| t.as_str() != "none") {
            return Err(ArgsError::Unsupported {
                key: "report_to".into(),
                reason: format!(
                    "`{target}`: logs go to the progress output and output_dir/log.jsonl; use \"none\""
                ),
            });
        }
        Ok(())
    }

    /// The metric that picks the best checkpoint, with its `eval_` prefix: the
    /// `metric_for_best_model` given, else `eval_loss` under `load_best_model_at_end`.
    pub fn best_metric_key(&self) -> Option<String> {
        let name = match (&self.metric_for_best_model, self.load_best_model_at_end) {
            (Some(name), _) => name.clone(),
            (None, true) => "loss".into(),
            (None, false) => return None,
        };
        Some(if name.starts_with("eval_") {
            name
        } else {
            format!("eval_{name}")
        })
    }

    /// Whether a larger best-model metric is better: `greater_is_better` when given, else
    /// true unless the metric's name ends in `loss` (HF's rule).
    pub fn greater_is_better(&self) -> bool {
        self.greater_is_better
            .unwrap_or_else(|| !self.best_metric_key().is_some_and(|k| k.ends_with("loss")))
    }

    /// The dtype the loss is computed in under autocast: F16 with `fp16`, BF16 with `bf16`,
    /// `None` for f32 training.
    pub fn autocast_dtype(&self) -> Option<DType> {
        match (self.fp16, self.bf16) {
            (true, _) => Some(DType::F16),
            (_, true) => Some(DType::BF16),
            _ => None,
        }
    }

    /// The seed of the training data order (`data_seed`, else `seed`).
    pub fn data_order_seed(&self) -> u64 {
        self.data_seed.unwrap_or(self.seed)
    }

    /// Warmup optimizer steps for a run of `total_steps` (HF's `get_warmup_steps`, with HF
    /// 4's `warmup_ratio` when `warmup_steps` is 0).
    pub fn warmup_steps_for(&self, total_steps: usize) -> usize {
        if self.warmup_steps >= 1.0 {
            self.warmup_steps as usize
        } else if self.warmup_steps > 0.0 {
            (total_steps as f64 * self.warmup_steps).ceil() as usize
        } else {
            (total_steps as f64 * self.warmup_ratio).ceil() as usize
        }
    }
}

/// A step interval in HF's form (below 1: a fraction of `max_steps`, rounded up) as a whole
/// number of steps, at least 1.
pub(crate) fn resolve_steps(value: f64, max_steps: usize) -> usize {
    let steps = if value < 1.0 {
        (max_steps as f64 * value).ceil()
    } else {
        value
    };
    (steps as usize).max(1)
}
