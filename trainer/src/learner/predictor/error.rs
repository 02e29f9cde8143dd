//! [`PredictorError`]: why a predictor could not be built, saved, loaded or run, naming the
//! file at fault.

use std::fmt;
use std::path::PathBuf;

use kiln_nn::models::{InputError, PretrainedError};
use kiln_text::TextError;

/// Why a [`crate::learner::Predictor`] call failed.
#[derive(Debug)]
pub enum PredictorError {
    /// A file the folder must hold is not there.
    MissingFile {
        /// The missing file.
        path: PathBuf,
    },
    /// A file or folder could not be read or written.
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// `predictor.json` is not valid: not JSON, an unknown or ill-typed key, a value out of
    /// range.
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// `tokenizer.json` could not be read or written.
    Tokenizer {
        /// The file.
        path: PathBuf,
        /// The tokenizer's error.
        source: TextError,
    },
    /// The model folder (`config.json`, `model.safetensors`) could not be read or written;
    /// the error names the file.
    Model(PretrainedError),
    /// The label names do not match the classifier's outputs.
    LabelCount {
        /// Label names given.
        label_names: usize,
        /// The classifier's `num_labels`.
        num_labels: usize,
    },
    /// A setting is out of range (`max_length`, `batch_size`), naming it.
    Invalid {
        /// The setting.
        key: &'static str,
        /// Why.
        reason: String,
    },
    /// A text could not be tokenized.
    Encode {
        /// Its position in the list given to `predict`.
        index: usize,
        /// The tokenizer's error.
        source: TextError,
    },
    /// The model rejected a batch (token ids beyond its vocabulary: a tokenizer that does not
    /// belong to the model).
    Input(InputError),
}

impl fmt::Display for PredictorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PredictorError::MissingFile { path } => {
                write!(f, "{}: missing from the predictor folder", path.display())
            }
            PredictorError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            PredictorError::Corrupt { path, message } => {
                write!(f, "{}: invalid predictor file: {message}", path.display())
            }
            PredictorError::Tokenizer { path, source } => {
                write!(f, "{}: {source}", path.display())
            }
            PredictorError::Model(e) => write!(f, "{e}"),
            PredictorError::LabelCount {
                label_names,
                num_labels,
            } => write!(
                f,
                "{label_names} label names for a classifier with num_labels={num_labels}"
            ),
            PredictorError::Invalid { key, reason } => write!(f, "predictor {key}: {reason}"),
            PredictorError::Encode { index, source } => {
                write!(f, "text {index} could not be tokenized: {source}")
            }
            PredictorError::Input(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for PredictorError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PredictorError::Io { source, .. } => Some(source),
            PredictorError::Tokenizer { source, .. } | PredictorError::Encode { source, .. } => {
                Some(source)
            }
            PredictorError::Model(e) => Some(e),
            PredictorError::Input(e) => Some(e),
            _ => None,
        }
    }
}
