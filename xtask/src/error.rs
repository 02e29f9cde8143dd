//! The one error type every xtask command returns.

use std::fmt;
use std::io;
use std::path::PathBuf;

use kiln_hub::HubError;

/// Everything that can stop an xtask command, with enough context to act on it.
#[derive(Debug)]
pub enum XtaskError {
    /// The command line could not be understood; the text says why.
    Usage(String),
    /// A program that could not start or failed, a file-system operation, a checksum: the
    /// errors xtask shares with `kiln-hub`, which runs programs and fetches for both.
    Hub(HubError),
    /// Some input (JSON from cargo, criterion or a compare script) is malformed.
    Parse {
        /// Where the input came from (a path or a command).
        origin: String,
        /// What is wrong with it.
        message: String,
    },
    /// A precondition does not hold (missing file, unknown package, failed tests, ...).
    Other(String),
}

impl XtaskError {
    /// Builds a [`HubError::Io`] for `action` on `path`; meant for `map_err`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let to_hub = HubError::io(action, path);
        move |source| XtaskError::Hub(to_hub(source))
    }
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XtaskError::Usage(msg) => write!(f, "{msg} (see `cargo xtask help`)"),
            XtaskError::Hub(e) => e.fmt(f),
            XtaskError::Parse { origin, message } => write!(f, "cannot parse {origin}: {message}"),
            XtaskError::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for XtaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            XtaskError::Hub(e) => e.source(),
            _ => None,
        }
    }
}

impl From<HubError> for XtaskError {
    fn from(e: HubError) -> Self {
        XtaskError::Hub(e)
    }
}

/// Result alias used throughout xtask.
pub type Result<T> = std::result::Result<T, XtaskError>;
