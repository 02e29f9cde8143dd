//! [`LearnerError`]: why a [`crate::learner::Learner`] call failed.

use std::fmt;

use crate::training::error::{ArgsError, TrainerError};

/// Why `fit`, `fit_onecycle`, `validate` or `lr_find` failed.
#[derive(Debug)]
pub enum LearnerError {
    /// The arguments the call derived (the given learning rate and epochs on the learner's
    /// [`crate::TrainingArguments`]) are invalid.
    Args(ArgsError),
    /// The Trainer failed.
    Trainer(TrainerError),
    /// A setting of the call is out of range (`lr_find`'s rates or steps, say), naming it.
    Invalid {
        /// The setting.
        key: &'static str,
        /// Why.
        reason: String,
    },
    /// `validate` was called on a learner without validation data.
    NoValidationData,
    /// The training data yields no batch.
    EmptyDataset,
    /// The weights saved before `lr_find` could not be put back.
    Restore(kiln_nn::StateDictError),
}

impl fmt::Display for LearnerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LearnerError::Args(e) => write!(f, "learner arguments: {e}"),
            LearnerError::Trainer(e) => write!(f, "learner: {e}"),
            LearnerError::Invalid { key, reason } => write!(f, "learner: {key}: {reason}"),
            LearnerError::NoValidationData => {
                f.write_str("learner: validate needs val_data (Learner::with_val_data)")
            }
            LearnerError::EmptyDataset => f.write_str("learner: the training data has no batch"),
            LearnerError::Restore(e) => {
                write!(f, "lr_find could not restore the model's weights: {e}")
            }
        }
    }
}

impl std::error::Error for LearnerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LearnerError::Args(e) => Some(e),
            LearnerError::Trainer(e) => Some(e),
            LearnerError::Restore(e) => Some(e),
            _ => None,
        }
    }
}

impl From<ArgsError> for LearnerError {
    fn from(e: ArgsError) -> Self {
        LearnerError::Args(e)
    }
}

impl From<TrainerError> for LearnerError {
    fn from(e: TrainerError) -> Self {
        LearnerError::Trainer(e)
    }
}
