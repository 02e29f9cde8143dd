//! The error type of every fallible kiln-text operation.

use std::fmt;
use std::path::PathBuf;

/// Everything that can go wrong while loading, saving, training or running a tokenizer.
///
/// Parsing errors name the file, the line or the JSON field that is wrong, so a user can
/// fix the file without reading the parser.
#[derive(Debug)]
pub enum TextError {
    /// Reading or writing `path` failed.
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// The underlying operating-system error.
        source: std::io::Error,
    },
    /// A JSON document (e.g. `tokenizer.json`, `vocab.json`) is malformed or has a wrong field.
    /// The message comes from serde_json and names the field, line and column.
    Json {
        /// Which document was being read (a path or a short description).
        what: String,
        /// The serde_json error (names the field and the position).
        source: serde_json::Error,
    },
    /// A line of a line-oriented file (`vocab.txt`, `merges.txt`) is invalid.
    Line {
        /// Which document was being read.
        what: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        message: String,
    },
    /// A configuration value is inconsistent (e.g. the unknown token is not in the vocabulary).
    Config {
        /// The field or setting at fault, named as in `tokenizer.json`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// An error in the file `what` (a `tokenizer.json`, a `vocab.txt`): wraps an error such
    /// as [`TextError::Config`] that names the field but not the file.
    InFile {
        /// The file (its path, or a short description for in-memory documents).
        what: String,
        /// What is wrong in it.
        source: Box<TextError>,
    },
    /// A folder given to [`crate::Tokenizer::from_pretrained`] holds neither a
    /// `tokenizer.json` nor a `vocab.txt` (or is not a folder at all).
    NoTokenizerFiles {
        /// The folder that was searched.
        dir: PathBuf,
    },
    /// Input bytes are not valid UTF-8 (byte APIs only).
    InvalidUtf8 {
        /// Byte offset of the first invalid byte.
        valid_up_to: usize,
    },
    /// An input longer than the 4 GiB that offsets can address.
    InputTooLong {
        /// Length of the input in bytes.
        len: usize,
    },
    /// A regular expression in the configuration does not compile.
    Regex {
        /// The offending pattern.
        pattern: String,
        /// The regex crate's message.
        message: String,
    },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            TextError::Json { what, source } => write!(f, "{what}: {source}"),
            TextError::Line {
                what,
                line,
                message,
            } => write!(f, "{what}, line {line}: {message}"),
            TextError::Config { field, message } => write!(f, "`{field}`: {message}"),
            TextError::InFile { what, source } => write!(f, "{what}: {source}"),
            TextError::NoTokenizerFiles { dir } => write!(
                f,
                "{}: no tokenizer.json or vocab.txt in this folder",
                dir.display()
            ),
            TextError::InvalidUtf8 { valid_up_to } => {
                write!(
                    f,
                    "input is not valid UTF-8 (first bad byte at {valid_up_to})"
                )
            }
            TextError::InputTooLong { len } => {
                write!(f, "input of {len} bytes is longer than the 4 GiB limit")
            }
            TextError::Regex { pattern, message } => {
                write!(f, "bad regular expression {pattern:?}: {message}")
            }
        }
    }
}

impl std::error::Error for TextError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TextError::Io { source, .. } => Some(source),
            TextError::Json { source, .. } => Some(source),
            TextError::InFile { source, .. } => Some(source.as_ref()),
            _ => None,
        }
    }
}

impl TextError {
    /// Builds a [`TextError::Config`] for `field`.
    pub fn config(field: impl Into<String>, message: impl Into<String>) -> Self {
        TextError::Config {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Names the file `what` in an error that does not already name it (wraps it in
    /// [`TextError::InFile`]); I/O, JSON, line and missing-file errors, which carry their
    /// file or folder, pass through.
    pub fn in_file(self, what: &str) -> Self {
        match self {
            TextError::Io { .. }
            | TextError::Json { .. }
            | TextError::Line { .. }
            | TextError::NoTokenizerFiles { .. }
            | TextError::InFile { .. } => self,
            other => TextError::InFile {
                what: what.to_owned(),
                source: Box::new(other),
            },
        }
    }

    /// Builds a [`TextError::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        TextError::Io {
            path: path.into(),
            source,
        }
    }
}

/// Shorthand for `Result<T, TextError>`.
pub type Result<T> = std::result::Result<T, TextError>;
