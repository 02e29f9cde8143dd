//! The error type of safetensors reading and writing.

use std::fmt;
use std::path::PathBuf;

/// Why a safetensors file could not be read or written.
///
/// Every malformed input maps to one of these variants; the reader never panics and never
/// allocates more than the input's own length. Variants about one tensor name it.
#[derive(Debug)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// The file could not be opened, mapped, created or written.
    Io {
        /// The file involved.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// Writing to a caller-supplied writer failed.
    Write(std::io::Error),
    /// The input is shorter than the 8-byte header-length prefix.
    TooShort {
        /// Bytes available.
        len: usize,
    },
    /// The declared header length is above [`MAX_HEADER_LEN`](crate::io::safetensors::MAX_HEADER_LEN).
    HeaderTooLarge {
        /// The declared header length in bytes.
        declared: u64,
    },
    /// The declared header length runs past the end of the input (a truncated file).
    HeaderExceedsInput {
        /// The declared header length in bytes.
        declared: u64,
        /// Bytes available after the 8-byte prefix.
        available: usize,
    },
    /// The header is not valid UTF-8 or not a JSON object of the expected form.
    InvalidHeader {
        /// What is wrong, with serde_json's position where it has one.
        reason: String,
    },
    /// A tensor entry lacks a field or has one of the wrong type.
    InvalidEntry {
        /// The tensor's name.
        tensor: String,
        /// What is wrong.
        reason: String,
    },
    /// A tensor's dtype is not one Kiln holds (F32, F64, F16, BF16, I64, U8, BOOL).
    UnknownDtype {
        /// The tensor's name.
        tensor: String,
        /// The dtype string found in the header.
        dtype: String,
    },
    /// The product of a tensor's dims, or its byte size, does not fit in 64 bits.
    ShapeOverflow {
        /// The tensor's name.
        tensor: String,
        /// The shape found in the header.
        shape: Vec<u64>,
    },
    /// A tensor's `data_offsets` end before they begin.
    ReversedOffsets {
        /// The tensor's name.
        tensor: String,
        /// Start offset, relative to the data section.
        begin: u64,
        /// End offset, relative to the data section.
        end: u64,
    },
    /// A tensor's bytes run past the end of the data section.
    OffsetOutOfRange {
        /// The tensor's name.
        tensor: String,
        /// End offset, relative to the data section.
        end: u64,
        /// Length of the data section in bytes.
        data_len: usize,
    },
    /// A tensor's byte range is not `numel × element size` long.
    ByteCountMismatch {
        /// The tensor's name.
        tensor: String,
        /// The shape found in the header.
        shape: Vec<u64>,
        /// The dtype's safetensors name.
        dtype: &'static str,
        /// Bytes the shape and dtype need.
        expected: u64,
        /// Bytes between the offsets.
        actual: u64,
    },
    /// Two tensors' byte ranges overlap.
    Overlap {
        /// The tensor that starts first.
        first: String,
        /// The tensor that starts inside it.
        second: String,
    },
    /// Bytes of the data section that belong to no tensor (a gap or trailing bytes).
    UnindexedBytes {
        /// First unclaimed byte, relative to the data section.
        begin: u64,
        /// One past the last unclaimed byte.
        end: u64,
    },
    /// A BOOL tensor holds a byte other than 0 or 1.
    InvalidBool {
        /// The tensor's name.
        tensor: String,
        /// The offending byte.
        byte: u8,
    },
    /// Two tensors passed to a save share a name.
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// A tensor passed to a save is named `__metadata__`, which the format reserves.
    ReservedName,
}

impl fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SafetensorsError::*;
        match self {
            Io { path, source } => write!(f, "safetensors: {}: {source}", path.display()),
            Write(source) => write!(f, "safetensors: write failed: {source}"),
            TooShort { len } => {
                write!(
                    f,
                    "safetensors: input is {len} bytes, shorter than the 8-byte header length"
                )
            }
            HeaderTooLarge { declared } => write!(
                f,
                "safetensors: declared header length {declared} exceeds the limit of {} bytes",
                super::safetensors::MAX_HEADER_LEN
            ),
            HeaderExceedsInput {
                declared,
                available,
            } => write!(
                f,
                "safetensors: header length {declared} exceeds the {available} bytes after the \
                 length prefix (truncated file?)"
            ),
            InvalidHeader { reason } => write!(f, "safetensors: invalid header: {reason}"),
            InvalidEntry { tensor, reason } => {
                write!(f, "safetensors: tensor `{tensor}`: invalid entry: {reason}")
            }
            UnknownDtype { tensor, dtype } => write!(
                f,
                "safetensors: tensor `{tensor}` has dtype `{dtype}`, expected one of F32, F64, \
                 F16, BF16, I64, U8, BOOL"
            ),
            ShapeOverflow { tensor, shape } => {
                write!(
                    f,
                    "safetensors: tensor `{tensor}`: the size of shape {shape:?} overflows"
                )
            }
            ReversedOffsets { tensor, begin, end } => write!(
                f,
                "safetensors: tensor `{tensor}`: data_offsets [{begin}, {end}] end before they begin"
            ),
            OffsetOutOfRange {
                tensor,
                end,
                data_len,
            } => write!(
                f,
                "safetensors: tensor `{tensor}` ends at byte {end} of a {data_len}-byte data \
                 section (truncated file?)"
            ),
            ByteCountMismatch {
                tensor,
                shape,
                dtype,
                expected,
                actual,
            } => write!(
                f,
                "safetensors: tensor `{tensor}` of shape {shape:?} and dtype {dtype} needs \
                 {expected} bytes, its offsets span {actual}"
            ),
            Overlap { first, second } => {
                write!(f, "safetensors: tensors `{first}` and `{second}` overlap")
            }
            UnindexedBytes { begin, end } => write!(
                f,
                "safetensors: data bytes {begin}..{end} belong to no tensor"
            ),
            InvalidBool { tensor, byte } => write!(
                f,
                "safetensors: BOOL tensor `{tensor}` holds byte {byte}, expected 0 or 1"
            ),
            DuplicateName { name } => {
                write!(f, "safetensors: two tensors are named `{name}`")
            }
            ReservedName => f.write_str("safetensors: `__metadata__` cannot name a tensor"),
        }
    }
}

impl std::error::Error for SafetensorsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SafetensorsError::Io { source, .. } | SafetensorsError::Write(source) => Some(source),
            _ => None,
        }
    }
}
