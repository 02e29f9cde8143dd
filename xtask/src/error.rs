//! The one error type every xtask command returns.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can stop an xtask command, with enough context to act on it.
#[derive(Debug)]
pub enum XtaskError {
    /// The command line could not be understood; the text says why.
    Usage(String),
    /// A program could not be started at all (usually: it is not installed).
    Spawn {
        /// The command line that was attempted.
        command: String,
        /// The operating-system error.
        source: io::Error,
    },
    /// A program ran and exited unsuccessfully.
    Failed {
        /// The command line that failed.
        command: String,
        /// Its exit status.
        status: ExitStatus,
        /// The tail of what it wrote to stderr (empty when stderr was streamed to the terminal).
        stderr: String,
    },
    /// A file-system operation failed.
    Io {
        /// What was being done, e.g. "create directory".
        action: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The operating-system error.
        source: io::Error,
    },
    /// A downloaded or extracted file does not have the pinned SHA-256.
    Checksum {
        /// The file that was checked.
        path: PathBuf,
        /// The pinned digest (lowercase hex).
        expected: String,
        /// The digest actually computed (lowercase hex).
        actual: String,
    },
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
    /// Builds an [`XtaskError::Io`] for `action` on `path`; meant for `map_err`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| XtaskError::Io {
            action,
            path,
            source,
        }
    }
}

impl fmt::Display for XtaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            XtaskError::Usage(msg) => write!(f, "{msg} (see `cargo xtask help`)"),
            XtaskError::Spawn { command, source } => {
                write!(f, "could not start `{command}`: {source}")
            }
            XtaskError::Failed {
                command,
                status,
                stderr,
            } => {
                write!(f, "`{command}` failed ({status})")?;
                if !stderr.trim().is_empty() {
                    write!(f, "; its stderr:\n{}", stderr.trim_end())?;
                }
                Ok(())
            }
            XtaskError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            XtaskError::Checksum {
                path,
                expected,
                actual,
            } => write!(
                f,
                "checksum mismatch for {}: expected sha256 {expected}, got {actual}",
                path.display()
            ),
            XtaskError::Parse { origin, message } => write!(f, "cannot parse {origin}: {message}"),
            XtaskError::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for XtaskError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            XtaskError::Spawn { source, .. } | XtaskError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<kiln_hub::HubError> for XtaskError {
    fn from(e: kiln_hub::HubError) -> Self {
        use kiln_hub::HubError as H;
        match e {
            H::Spawn { command, source } => XtaskError::Spawn { command, source },
            H::Failed {
                command,
                status,
                stderr,
            } => XtaskError::Failed {
                command,
                status,
                stderr,
            },
            H::Io {
                action,
                path,
                source,
            } => XtaskError::Io {
                action,
                path,
                source,
            },
            H::Checksum {
                path,
                expected,
                actual,
            } => XtaskError::Checksum {
                path,
                expected,
                actual,
            },
            other => XtaskError::Other(other.to_string()),
        }
    }
}

/// Result alias used throughout xtask.
pub type Result<T> = std::result::Result<T, XtaskError>;
