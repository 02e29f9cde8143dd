//! Errors of table reading and table operations, and the bad-row policy with its report.

use std::fmt;

use super::ColumnType;

/// What a reader does with a malformed row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BadRowPolicy {
    /// Stop at the first bad row with its error (the default; pandas `on_bad_lines="error"`).
    #[default]
    Error,
    /// Leave the row out and record it in the [`ReadReport`] (pandas `on_bad_lines="skip"`,
    /// but counted and reported rather than silent).
    Skip,
}

/// A row a reader left out under [`BadRowPolicy::Skip`].
#[derive(Debug)]
pub struct SkippedRow {
    /// 1-based line where the row starts.
    pub line: u64,
    /// Why it was left out.
    pub error: TableError,
}

/// What a reader did besides building the table.
#[derive(Debug, Default)]
pub struct ReadReport {
    /// Rows stored in the table.
    pub rows_read: usize,
    /// Rows left out, with their line and error (empty under [`BadRowPolicy::Error`]).
    pub skipped: Vec<SkippedRow>,
    /// Lines with no content at all, which carry no row and are passed over.
    pub blank_lines: usize,
}

/// Why a table could not be read or an operation failed. Row errors carry the 1-based line
/// number where the row starts.
#[derive(Debug)]
pub enum TableError {
    /// Reading the input failed.
    Io(std::io::Error),
    /// The input is empty, so there is no header.
    MissingHeader,
    /// Two columns have the same name.
    DuplicateColumn {
        /// The repeated name.
        name: String,
    },
    /// A named column does not exist.
    UnknownColumn {
        /// The name asked for.
        name: String,
    },
    /// A row has fewer fields than the header.
    MissingFields {
        /// 1-based line of the row.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A row has more fields than the header.
    ExtraFields {
        /// 1-based line of the row.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in the row.
        found: usize,
    },
    /// A field or line is not valid UTF-8.
    InvalidUtf8 {
        /// 1-based line of the row.
        line: u64,
    },
    /// A quoted field never closes before the end of the input.
    UnterminatedQuote {
        /// 1-based line where the row starts.
        line: u64,
    },
    /// Text follows the closing quote of a field (`"ab"c`).
    MalformedQuote {
        /// 1-based line of the row.
        line: u64,
    },
    /// A JSONL line is not valid JSON.
    Json {
        /// 1-based line.
        line: u64,
        /// The parser's message.
        message: String,
    },
    /// A JSONL line is valid JSON but not an object.
    NotAnObject {
        /// 1-based line.
        line: u64,
    },
    /// A value does not fit its column's type.
    TypeMismatch {
        /// 1-based line of the row (0 when the table was not read from text).
        line: u64,
        /// Column name.
        column: String,
        /// The column's type.
        expected: ColumnType,
        /// The offending value, as text.
        value: String,
    },
    /// Columns of a table have different lengths.
    LengthMismatch {
        /// Column name.
        column: String,
        /// Its length.
        len: usize,
        /// The length of the first column.
        expected: usize,
    },
    /// A column asked for as a tensor holds a null.
    NullValue {
        /// Column name.
        column: String,
        /// 0-based row of the first null.
        row: usize,
    },
    /// A string column was asked for as a numeric tensor.
    NotNumeric {
        /// Column name.
        column: String,
    },
    /// A split of the table's rows failed.
    Split(crate::splits::SplitError),
}

impl TableError {
    /// The 1-based line of a row error, `None` for other errors.
    pub fn line(&self) -> Option<u64> {
        match self {
            TableError::MissingFields { line, .. }
            | TableError::ExtraFields { line, .. }
            | TableError::InvalidUtf8 { line }
            | TableError::UnterminatedQuote { line }
            | TableError::MalformedQuote { line }
            | TableError::Json { line, .. }
            | TableError::NotAnObject { line }
            | TableError::TypeMismatch { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TableError::Io(e) => write!(f, "reading the table failed: {e}"),
            TableError::MissingHeader => f.write_str("the input is empty: no header row"),
            TableError::DuplicateColumn { name } => write!(f, "duplicate column name {name:?}"),
            TableError::UnknownColumn { name } => write!(f, "no column named {name:?}"),
            TableError::MissingFields {
                line,
                expected,
                found,
            } => {
                write!(
                    f,
                    "line {line}: expected {expected} fields, found {found} (missing fields)"
                )
            }
            TableError::ExtraFields {
                line,
                expected,
                found,
            } => {
                write!(
                    f,
                    "line {line}: expected {expected} fields, found {found} (extra fields)"
                )
            }
            TableError::InvalidUtf8 { line } => write!(f, "line {line}: invalid UTF-8"),
            TableError::UnterminatedQuote { line } => {
                write!(
                    f,
                    "line {line}: quoted field is not closed before the end of the input"
                )
            }
            TableError::MalformedQuote { line } => {
                write!(f, "line {line}: unexpected text after a closing quote")
            }
            TableError::Json { line, message } => write!(f, "line {line}: invalid JSON: {message}"),
            TableError::NotAnObject { line } => write!(f, "line {line}: expected a JSON object"),
            TableError::TypeMismatch {
                line,
                column,
                expected,
                value,
            } => write!(
                f,
                "line {line}: value {value:?} in column {column:?} is not of type {expected}"
            ),
            TableError::LengthMismatch {
                column,
                len,
                expected,
            } => write!(f, "column {column:?} has {len} rows, expected {expected}"),
            TableError::NullValue { column, row } => {
                write!(f, "column {column:?} holds a null at row {row}")
            }
            TableError::NotNumeric { column } => {
                write!(f, "column {column:?} holds strings, not numbers")
            }
            TableError::Split(e) => write!(f, "splitting the table failed: {e}"),
        }
    }
}

impl std::error::Error for TableError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TableError::Io(e) => Some(e),
            TableError::Split(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for TableError {
    fn from(e: std::io::Error) -> Self {
        TableError::Io(e)
    }
}
