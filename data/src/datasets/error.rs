//! The error type of the dataset loaders.

use std::fmt;
use std::path::PathBuf;

/// Why a dataset could not be loaded; every variant names the file.
#[derive(Debug)]
pub enum DatasetError {
    /// The file is not there (or no cache folder is known).
    Missing {
        /// The path looked at.
        path: PathBuf,
        /// The `cargo xtask fetch` name that provides it.
        fetch: &'static str,
    },
    /// Reading or decompressing failed (including a corrupt gzip stream).
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The IDX header is not an unsigned-byte array of 1 to 4 dimensions.
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The data is shorter than the header's dimensions say.
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces.
        expected: u64,
        /// Bytes present.
        found: u64,
    },
    /// Bytes follow the data the header announces.
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Bytes the header announces.
        expected: u64,
    },
    /// The content is well-formed but not what the dataset should hold.
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for DatasetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatasetError::Missing { path, fetch } => write!(
                f,
                "{} not found; run `cargo xtask fetch {fetch}` (or set KILN_CACHE)",
                path.display()
            ),
            DatasetError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DatasetError::BadHeader { path, message } => {
                write!(f, "{}: bad IDX header: {message}", path.display())
            }
            DatasetError::Truncated {
                path,
                expected,
                found,
            } => write!(
                f,
                "{}: truncated: the header announces {expected} data bytes, found {found}",
                path.display()
            ),
            DatasetError::TrailingBytes { path, expected } => write!(
                f,
                "{}: more than the {expected} data bytes the header announces",
                path.display()
            ),
            DatasetError::Invalid { path, message } => write!(f, "{}: {message}", path.display()),
        }
    }
}

impl std::error::Error for DatasetError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DatasetError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
