//! Errors from loading optimizer, scheduler and scaler state.

use std::fmt;
use std::path::PathBuf;

use kiln_tensor::safetensors::SafetensorsError;

/// Why a saved state could not be loaded into an optimizer (PyTorch raises `ValueError` in
/// `Optimizer.load_state_dict` for the same mismatches).
#[derive(Debug)]
pub enum OptimError {
    /// The state was saved by another optimizer type.
    WrongOptimizer {
        /// The optimizer loading the state (`"Adam"`, `"SGD"`, …).
        expected: String,
        /// The optimizer named in the state.
        found: String,
    },
    /// The number of parameter groups differs.
    GroupCount {
        /// Groups in the optimizer.
        expected: usize,
        /// Groups in the state.
        found: usize,
    },
    /// A parameter group holds another number of parameters.
    ParamCount {
        /// Index of the group.
        group: usize,
        /// Parameters in the optimizer's group.
        expected: usize,
        /// Parameters in the saved group.
        found: usize,
    },
    /// A saved state tensor does not have its parameter's shape.
    ShapeMismatch {
        /// Global index of the parameter (order over all groups, as in PyTorch).
        param: usize,
        /// Name of the state entry (`exp_avg`, …).
        key: String,
        /// The parameter's shape.
        expected: Vec<usize>,
        /// The saved tensor's shape.
        found: Vec<usize>,
    },
    /// A state entry the optimizer needs is absent, or the state names a parameter index that
    /// does not exist.
    MissingState {
        /// Global index of the parameter.
        param: usize,
        /// What is missing or out of range.
        what: String,
    },
    /// A value in the saved state is not valid: bad JSON, an unknown option, a negative step,
    /// a negative or non-finite hyper-parameter (`lr`, `eps`, `betas` out of `[0, 1)`, …), a
    /// parameter index listed twice, or a state tensor holding NaN or an infinity (or a
    /// negative value in a running average of squares such as `exp_avg_sq`).
    Invalid(String),
    /// Reading or writing the safetensors file failed.
    Safetensors(SafetensorsError),
    /// Reading or writing a file failed.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for OptimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimError::WrongOptimizer { expected, found } => {
                write!(f, "state was saved by {found}, cannot load into {expected}")
            }
            OptimError::GroupCount { expected, found } => write!(
                f,
                "loaded state has {found} parameter groups, the optimizer has {expected}"
            ),
            OptimError::ParamCount {
                group,
                expected,
                found,
            } => write!(
                f,
                "loaded state group {group} has {found} parameters, the optimizer's group has {expected}"
            ),
            OptimError::ShapeMismatch {
                param,
                key,
                expected,
                found,
            } => write!(
                f,
                "state `{key}` of parameter {param} has shape {found:?}, the parameter has shape {expected:?}"
            ),
            OptimError::MissingState { param, what } => {
                write!(f, "state of parameter {param}: {what}")
            }
            OptimError::Invalid(msg) => write!(f, "invalid optimizer state: {msg}"),
            OptimError::Safetensors(e) => write!(f, "optimizer state file: {e}"),
            OptimError::Io { path, source } => write!(f, "{}: {source}", path.display()),
        }
    }
}

impl std::error::Error for OptimError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OptimError::Safetensors(e) => Some(e),
            OptimError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<SafetensorsError> for OptimError {
    fn from(e: SafetensorsError) -> Self {
        OptimError::Safetensors(e)
    }
}
