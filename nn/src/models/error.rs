//! Errors of pretrained models: reading a Hugging Face folder, and inputs the model cannot take.

use std::fmt;
use std::path::PathBuf;

use kiln_tensor::safetensors::SafetensorsError;

use crate::StateDictError;

/// Why a pretrained folder could not be read or written. Every variant names the file.
#[derive(Debug)]
pub enum PretrainedError {
    /// The file could not be opened, read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// `config.json` is not JSON, lacks a required key, has a key of the wrong type, or holds
    /// values the model cannot be built from.
    Config {
        /// The file (or a description of where the text came from).
        path: PathBuf,
        /// What is wrong, naming the key.
        message: String,
    },
    /// `model.safetensors` is truncated or corrupt.
    Weights {
        /// The file.
        path: PathBuf,
        /// The safetensors reader's error.
        source: SafetensorsError,
    },
    /// The weights do not fit the architecture the config describes: missing, unexpected or
    /// mis-shaped tensors, each named with both shapes.
    Mismatch {
        /// The weights file.
        path: PathBuf,
        /// Every offending tensor.
        source: StateDictError,
    },
}

impl fmt::Display for PretrainedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PretrainedError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            PretrainedError::Config { path, message } => {
                write!(f, "{}: invalid config: {message}", path.display())
            }
            PretrainedError::Weights { path, source } => write!(f, "{}: {source}", path.display()),
            PretrainedError::Mismatch { path, source } => write!(
                f,
                "{}: the weights do not match the config: {source}",
                path.display()
            ),
        }
    }
}

impl std::error::Error for PretrainedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PretrainedError::Io { source, .. } => Some(source),
            PretrainedError::Weights { source, .. } => Some(source),
            PretrainedError::Mismatch { source, .. } => Some(source),
            PretrainedError::Config { .. } => None,
        }
    }
}

/// Why an encoder refused its inputs (see [`crate::models::EncoderInput::validate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputError {
    /// `input_ids` (or `token_type_ids`) is not an int64 `[batch, seq_len]` tensor.
    BadIds {
        /// Which input.
        name: &'static str,
        /// What was given.
        found: String,
    },
    /// A mask or token-type tensor whose shape differs from `input_ids`'.
    ShapeMismatch {
        /// Which input.
        name: &'static str,
        /// `input_ids`' shape.
        expected: Vec<usize>,
        /// Its shape.
        found: Vec<usize>,
    },
    /// An id outside its embedding table: a token id ≥ `vocab_size` (for example from a
    /// tokenizer whose vocabulary is larger than the model's) or a token type ≥
    /// `type_vocab_size`.
    IdOutOfRange {
        /// Which input.
        name: &'static str,
        /// The offending id.
        id: i64,
        /// The table's number of rows.
        limit: usize,
    },
    /// Sequences of no tokens (`seq_len` 0): there is no first token to pool.
    EmptySequence,
    /// A sequence longer than `max_position_embeddings`; truncate it (the tokenizer's
    /// truncation, or [`crate::models::EncoderInput::truncate`]).
    TooLong {
        /// The sequence length given.
        seq_len: usize,
        /// `max_position_embeddings`.
        max: usize,
    },
    /// A single-label class id outside `0..num_labels` (and not the ignored `-100`).
    LabelOutOfRange {
        /// The row of the batch.
        row: usize,
        /// The label given.
        label: i64,
        /// The head's `num_labels`.
        num_labels: usize,
    },
    /// Labels whose shape or dtype does not fit the problem type (class ids `[B]` for
    /// single-label, floats `[B, num_labels]` for multi-label, `[B]` or `[B, num_labels]` for
    /// regression).
    BadLabels {
        /// The problem type, as transformers names it.
        problem_type: &'static str,
        /// What was expected.
        expected: String,
        /// What was given.
        found: String,
    },
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::BadIds { name, found } => {
                write!(
                    f,
                    "{name} must be an int64 [batch, seq_len] tensor, got {found}"
                )
            }
            InputError::ShapeMismatch {
                name,
                expected,
                found,
            } => write!(
                f,
                "{name} has shape {found:?}, but input_ids has shape {expected:?}"
            ),
            InputError::IdOutOfRange { name, id, limit } => write!(
                f,
                "{name} holds id {id}, outside the embedding table of {limit} rows \
                 (is the tokenizer's vocabulary larger than the model's?)"
            ),
            InputError::EmptySequence => {
                write!(
                    f,
                    "input_ids has no tokens (seq_len 0); every sequence needs at least one"
                )
            }
            InputError::TooLong { seq_len, max } => write!(
                f,
                "the input has {seq_len} tokens, more than max_position_embeddings {max}; \
                 turn on truncation"
            ),
            InputError::LabelOutOfRange {
                row,
                label,
                num_labels,
            } => write!(
                f,
                "label {label} in row {row} is outside the {num_labels} classes (0..{num_labels}); \
                 set num_labels in the config or map the labels first"
            ),
            InputError::BadLabels {
                problem_type,
                expected,
                found,
            } => write!(
                f,
                "labels for {problem_type} must be {expected}, got {found}"
            ),
        }
    }
}

impl std::error::Error for InputError {}
