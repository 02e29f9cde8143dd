//! Errors of the Trainer: bad arguments, unreadable checkpoints and failed runs, each naming
//! the key, file or metric at fault.

use std::fmt;
use std::path::{Path, PathBuf};

use kiln_nn::StateDictError;
use kiln_optim::OptimError;
use kiln_tensor::safetensors::SafetensorsError;

/// Why [`crate::TrainingArguments`] could not be built.
#[derive(Debug)]
pub enum ArgsError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file's extension is neither `.json` nor `.toml`.
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The text is not valid JSON or TOML.
    Syntax {
        /// `"JSON"` or `"TOML"`.
        format: &'static str,
        /// The parser's message, with its line and column.
        message: String,
    },
    /// The document is not a table of keys.
    NotATable,
    /// A key that `TrainingArguments` does not have.
    UnknownKey {
        /// The key.
        key: String,
        /// Every key that is accepted.
        known: Vec<String>,
    },
    /// A key whose value has the wrong type (a string for a number, an unknown strategy…).
    WrongType {
        /// The key.
        key: String,
        /// What the parser expected.
        message: String,
    },
    /// A value out of range, or a combination Hugging Face rejects.
    Invalid {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
    /// A setting Kiln's Trainer does not offer yet.
    Unsupported {
        /// The key.
        key: String,
        /// Why, and what to use instead.
        reason: String,
    },
    /// An error in a file (wraps the others with the file's path).
    InFile {
        /// The file.
        path: PathBuf,
        /// The error.
        error: Box<ArgsError>,
    },
}

impl ArgsError {
    /// The same error, saying which file it came from.
    pub(crate) fn in_file(self, path: &Path) -> ArgsError {
        ArgsError::InFile {
            path: path.to_path_buf(),
            error: Box::new(self),
        }
    }
}

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgsError::Io { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ArgsError::UnknownFormat { path } => write!(
                f,
                "{}: training arguments must be a .json or .toml file",
                path.display()
            ),
            ArgsError::Syntax { format, message } => {
                write!(f, "training arguments are not valid {format}: {message}")
            }
            ArgsError::NotATable => write!(f, "training arguments must be a table of keys"),
            ArgsError::UnknownKey { key, known } => write!(
                f,
                "unknown training argument `{key}` (known: {})",
                known.join(", ")
            ),
            ArgsError::WrongType { key, message } => {
                write!(f, "training argument `{key}` has the wrong type: {message}")
            }
            ArgsError::Invalid { key, reason } => {
                write!(f, "training argument `{key}` {reason}")
            }
            ArgsError::Unsupported { key, reason } => {
                write!(f, "training argument `{key}` is not supported: {reason}")
            }
            ArgsError::InFile { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

impl std::error::Error for ArgsError {}

/// Why a checkpoint could not be written or read back.
#[derive(Debug)]
pub enum CheckpointError {
    /// A file or folder operation failed (a full disk, permissions…); the previous
    /// checkpoints are untouched.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file of the checkpoint is missing.
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// A JSON file of the checkpoint is malformed.
    Json {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// A safetensors file of the checkpoint is malformed or truncated.
    Tensors {
        /// The file.
        path: PathBuf,
        /// The reader's error.
        source: SafetensorsError,
    },
    /// The weights do not fit the model (names or shapes).
    Weights {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        source: StateDictError,
    },
    /// The optimizer state does not fit the optimizer.
    Optimizer {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        source: OptimError,
    },
    /// The checkpoint was written by a run with another data set size, batch size or
    /// accumulation, so its position cannot be resumed.
    Mismatch {
        /// The checkpoint folder.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// No `checkpoint-<step>` folder in the output folder.
    NoCheckpoint {
        /// The output folder searched.
        output_dir: PathBuf,
    },
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            CheckpointError::Missing { path } => {
                write!(f, "checkpoint file {} is missing", path.display())
            }
            CheckpointError::Json { path, message } => {
                write!(
                    f,
                    "checkpoint file {} is malformed: {message}",
                    path.display()
                )
            }
            CheckpointError::Tensors { path, source } => {
                write!(
                    f,
                    "checkpoint file {} is unreadable: {source}",
                    path.display()
                )
            }
            CheckpointError::Weights { path, source } => {
                write!(
                    f,
                    "weights in {} do not fit the model: {source}",
                    path.display()
                )
            }
            CheckpointError::Optimizer { path, source } => write!(
                f,
                "optimizer state in {} does not fit the optimizer: {source}",
                path.display()
            ),
            CheckpointError::Mismatch { path, reason } => {
                write!(f, "cannot resume from {}: {reason}", path.display())
            }
            CheckpointError::NoCheckpoint { output_dir } => write!(
                f,
                "no checkpoint-<step> folder in {} to resume from",
                output_dir.display()
            ),
        }
    }
}

impl std::error::Error for CheckpointError {}

/// Why [`crate::Trainer`] could not train, evaluate or predict.
#[derive(Debug)]
pub enum TrainerError {
    /// Bad training arguments.
    Args(ArgsError),
    /// A checkpoint could not be written or read.
    Checkpoint(CheckpointError),
    /// `train` was called without a training data set, or evaluation without an eval set.
    MissingDataset {
        /// `"train_dataset"` or `"eval_dataset"`.
        which: &'static str,
        /// The setting that needs it.
        needed_by: String,
    },
    /// The training data set yields no batch.
    EmptyDataset,
    /// `metric_for_best_model` names a metric the evaluation does not return.
    UnknownMetric {
        /// The metric looked for (with its `eval_` prefix).
        metric: String,
        /// The metrics the evaluation returned.
        available: Vec<String>,
    },
    /// Joining the other ranks, or a collective between them, failed.
    Distributed(kiln_distributed::DistributedError),
    /// A callback's saved state does not fit it.
    CallbackState {
        /// The callback's name.
        callback: String,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for TrainerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainerError::Args(e) => write!(f, "{e}"),
            TrainerError::Checkpoint(e) => write!(f, "{e}"),
            TrainerError::MissingDataset { which, needed_by } => {
                write!(f, "the Trainer has no {which}, which {needed_by} needs")
            }
            TrainerError::EmptyDataset => {
                write!(f, "the training data set yields no batch")
            }
            TrainerError::UnknownMetric { metric, available } => write!(
                f,
                "metric_for_best_model is `{metric}`, which the evaluation does not return \
                 (it returned: {})",
                available.join(", ")
            ),
            TrainerError::Distributed(e) => write!(f, "data-parallel training: {e}"),
            TrainerError::CallbackState { callback, reason } => {
                write!(f, "saved state of callback {callback}: {reason}")
            }
        }
    }
}

impl std::error::Error for TrainerError {}

impl From<ArgsError> for TrainerError {
    fn from(e: ArgsError) -> Self {
        TrainerError::Args(e)
    }
}

impl From<kiln_distributed::DistributedError> for TrainerError {
    fn from(e: kiln_distributed::DistributedError) -> Self {
        TrainerError::Distributed(e)
    }
}

impl From<CheckpointError> for TrainerError {
    fn from(e: CheckpointError) -> Self {
        TrainerError::Checkpoint(e)
    }
}
