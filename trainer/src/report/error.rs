//! [`ReportError`]: why a training report could not be written, naming the file at fault.

use std::fmt;
use std::path::PathBuf;

use crate::training::error::ArgsError;

/// Why a chart or `report.html` could not be written, or the saved run could not be read.
#[derive(Debug)]
pub enum ReportError {
    /// A file or folder could not be created or written (permissions, a full disk, a file
    /// where the folder should be…).
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A saved `trainer_state.json` could not be read or is malformed.
    State {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// A saved `training_args.json` could not be read or holds bad arguments.
    Args(ArgsError),
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::Io { path, source } => {
                write!(f, "cannot write report file {}: {source}", path.display())
            }
            ReportError::State { path, message } => {
                write!(f, "cannot read trainer state {}: {message}", path.display())
            }
            ReportError::Args(e) => write!(f, "cannot read training arguments: {e}"),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::Io { source, .. } => Some(source),
            ReportError::State { .. } => None,
            ReportError::Args(e) => Some(e),
        }
    }
}

impl From<ArgsError> for ReportError {
    fn from(e: ArgsError) -> Self {
        ReportError::Args(e)
    }
}
