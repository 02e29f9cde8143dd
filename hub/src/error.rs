//! [`HubError`]: why a dataset could not be fetched, with enough context to act on it.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;

/// Everything that can stop a fetch.
#[derive(Debug)]
pub enum HubError {
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
        /// The tail of what it wrote to stderr.
        stderr: String,
    },
    /// A file-system operation failed.
    Io {
        /// What was being done, e.g. "create folder".
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
    /// A name that is not in [`crate::DATASETS`].
    Unknown {
        /// The name asked for.
        name: String,
        /// Every known name.
        known: Vec<&'static str>,
    },
    /// A precondition does not hold (no cache folder, an unexpected archive layout, …).
    Other(String),
}

impl HubError {
    /// Builds a [`HubError::Io`] for `action` on `path`; meant for `map_err`.
    pub fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(io::Error) -> Self {
        let path = path.into();
        move |source| HubError::Io {
            action,
            path,
            source,
        }
    }
}

impl fmt::Display for HubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HubError::Spawn { command, source } => {
                write!(f, "could not start `{command}`: {source}")
            }
            HubError::Failed {
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
            HubError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            HubError::Checksum {
                path,
                expected,
                actual,
            } => write!(
                f,
                "checksum mismatch for {}: expected sha256 {expected}, got {actual}",
                path.display()
            ),
            HubError::Unknown { name, known } => {
                write!(f, "unknown dataset `{name}` (known: {})", known.join(", "))
            }
            HubError::Other(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for HubError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            HubError::Spawn { source, .. } | HubError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, HubError>;
