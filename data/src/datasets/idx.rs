//! The IDX format of (Fashion-)MNIST: a big-endian header then raw unsigned bytes.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::DatasetError;

/// An unsigned-byte IDX array: its dimensions and row-major data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdxArray {
    /// Dimensions, outermost first.
    pub dims: Vec<usize>,
    /// `dims.iter().product()` bytes.
    pub data: Vec<u8>,
}

/// Reads an unsigned-byte IDX array (magic `00 00 08 nd`, `nd` big-endian u32 sizes, data)
/// from `reader`; `path` only names the source in errors.
///
/// The data is read in chunks and at most one byte past what the header announces, so a
/// header claiming huge sizes allocates nothing up front; a short or long body is an error.
pub fn read_idx(mut reader: impl Read, path: &Path) -> Result<IdxArray, DatasetError> {
    let io = |source: std::io::Error| DatasetError::Io {
        path: path.to_path_buf(),
        source,
    };
    let bad = |message: String| DatasetError::BadHeader {
        path: path.to_path_buf(),
        message,
    };
    let mut magic = [0u8; 4];
    read_header(&mut reader, &mut magic, path)?;
    if magic[0] != 0 || magic[1] != 0 {
        return Err(bad(format!(
            "magic {magic:02x?} does not start with two zero bytes"
        )));
    }
    if magic[2] != 0x08 {
        return Err(bad(format!(
            "element type 0x{:02x} is not unsigned byte (0x08)",
            magic[2]
        )));
    }
    let nd = usize::from(magic[3]);
    if !(1..=4).contains(&nd) {
        return Err(bad(format!("{nd} dimensions, expected 1 to 4")));
    }
    let mut dims = Vec::with_capacity(nd);
    let mut expected: u64 = 1;
    for _ in 0..nd {
        let mut b = [0u8; 4];
        read_header(&mut reader, &mut b, path)?;
        let d = u32::from_be_bytes(b);
        dims.push(d as usize);
        expected = expected
            .checked_mul(u64::from(d))
            .ok_or_else(|| bad(format!("dimensions {dims:?} overflow")))?;
    }
    let mut data = Vec::new();
    reader
        .take(expected.saturating_add(1))
        .read_to_end(&mut data)
        .map_err(io)?;
    let found = data.len() as u64;
    if found < expected {
        return Err(DatasetError::Truncated {
            path: path.to_path_buf(),
            expected,
            found,
        });
    }
    if found > expected {
        return Err(DatasetError::TrailingBytes {
            path: path.to_path_buf(),
            expected,
        });
    }
    Ok(IdxArray { dims, data })
}

fn read_header(reader: &mut impl Read, buf: &mut [u8], path: &Path) -> Result<(), DatasetError> {
    reader.read_exact(buf).map_err(|source| {
        if source.kind() == std::io::ErrorKind::UnexpectedEof {
            DatasetError::BadHeader {
                path: PathBuf::from(path),
                message: "the file ends inside the header".into(),
            }
        } else {
            DatasetError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })
}
