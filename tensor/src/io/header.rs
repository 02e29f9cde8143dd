//! Parsing and validating a safetensors header.
//!
//! Layout of the format: an 8-byte little-endian header length `n`, `n` bytes of JSON mapping
//! each tensor name to `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional
//! `"__metadata__"` map of strings), then the data section, which the tensors' byte ranges
//! must cover exactly, without overlap.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Value};

use super::error::SafetensorsError;
use crate::dtype::DType;

/// Largest header accepted, in bytes (the limit the reference `safetensors` crate uses).
pub(crate) const MAX_HEADER_LEN: u64 = 100_000_000;

/// The header key that holds free-form string metadata instead of a tensor.
pub(crate) const METADATA_KEY: &str = "__metadata__";

/// One validated tensor entry.
#[derive(Debug)]
pub(crate) struct Entry {
    pub name: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    /// Byte range inside the data section.
    pub range: Range<usize>,
}

/// A validated header: entries sorted by data offset, the metadata, and the data section.
#[derive(Debug)]
pub(crate) struct Header<'a> {
    pub entries: Vec<Entry>,
    pub metadata: Option<HashMap<String, String>>,
    pub data: &'a [u8],
}

/// Splits `bytes` into header and data and validates every entry against the data length.
///
/// A name repeated in the header JSON keeps its last entry, as in the reference `safetensors`
/// crate and Python's `json.loads`. That is safe: the earlier entry's bytes are then covered
/// by no tensor, which [`check_coverage`] rejects (`UnindexedBytes`), unless the last entry
/// spans the very same bytes; either way every data byte belongs to exactly one loaded
/// tensor and names stay unique (`tests/safetensors_fuzz.rs` checks this against the
/// reference crate).
pub(crate) fn parse(bytes: &[u8]) -> Result<Header<'_>, SafetensorsError> {
    let (prefix, rest) = bytes
        .split_first_chunk::<8>()
        .ok_or(SafetensorsError::TooShort { len: bytes.len() })?;
    let declared = u64::from_le_bytes(*prefix);
    if declared > MAX_HEADER_LEN {
        return Err(SafetensorsError::HeaderTooLarge { declared });
    }
    let header_len = usize::try_from(declared)
        .ok()
        .filter(|&n| n <= rest.len())
        .ok_or(SafetensorsError::HeaderExceedsInput {
            declared,
            available: rest.len(),
        })?;
    let (json, data) = rest.split_at(header_len);
    let map: Map<String, Value> =
        serde_json::from_slice(json).map_err(|e| SafetensorsError::InvalidHeader {
            reason: e.to_string(),
        })?;

    let mut entries = Vec::new();
    let mut metadata = None;
    for (name, value) in map {
        if name == METADATA_KEY {
            metadata = Some(parse_metadata(value)?);
        } else {
            entries.push(parse_entry(name, &value, data.len())?);
        }
    }
    check_coverage(&mut entries, data.len())?;
    Ok(Header {
        entries,
        metadata,
        data,
    })
}

fn parse_metadata(value: Value) -> Result<HashMap<String, String>, SafetensorsError> {
    let invalid = |reason: String| SafetensorsError::InvalidHeader { reason };
    let Value::Object(map) = value else {
        return Err(invalid(format!(
            "`{METADATA_KEY}` must be an object of strings"
        )));
    };
    map.into_iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k, s)),
            other => Err(invalid(format!(
                "`{METADATA_KEY}` value for `{k}` is {other}, not a string"
            ))),
        })
        .collect()
}

/// Reads and checks one tensor entry: dtype, shape, offsets and their agreement.
fn parse_entry(name: String, value: &Value, data_len: usize) -> Result<Entry, SafetensorsError> {
    let invalid = |reason: &str| SafetensorsError::InvalidEntry {
        tensor: name.clone(),
        reason: reason.to_string(),
    };
    let obj = value
        .as_object()
        .ok_or_else(|| invalid("expected an object"))?;
    let dtype_name = obj
        .get("dtype")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("`dtype` must be a string"))?;
    let shape: Vec<u64> = obj
        .get("shape")
        .and_then(Value::as_array)
        .and_then(|dims| dims.iter().map(Value::as_u64).collect())
        .ok_or_else(|| invalid("`shape` must be an array of non-negative integers"))?;
    let offsets: Vec<u64> = obj
        .get("data_offsets")
        .and_then(Value::as_array)
        .and_then(|o| o.iter().map(Value::as_u64).collect())
        .filter(|o: &Vec<u64>| o.len() == 2)
        .ok_or_else(|| invalid("`data_offsets` must be two non-negative integers"))?;
    let (begin, end) = (offsets[0], offsets[1]);

    let Some(dtype) = dtype_from_name(dtype_name) else {
        return Err(SafetensorsError::UnknownDtype {
            tensor: name,
            dtype: dtype_name.to_string(),
        });
    };
    let Some((dims, expected)) = checked_size(&shape, dtype) else {
        return Err(SafetensorsError::ShapeOverflow {
            tensor: name,
            shape,
        });
    };
    if end < begin {
        return Err(SafetensorsError::ReversedOffsets {
            tensor: name,
            begin,
            end,
        });
    }
    if end > data_len as u64 {
        return Err(SafetensorsError::OffsetOutOfRange {
            tensor: name,
            end,
            data_len,
        });
    }
    if end - begin != expected {
        return Err(SafetensorsError::ByteCountMismatch {
            tensor: name,
            shape,
            dtype: dtype.safetensors_name(),
            expected,
            actual: end - begin,
        });
    }
    // `end <= data_len`, so both offsets fit in usize.
    Ok(Entry {
        name,
        dtype,
        shape: dims,
        range: begin as usize..end as usize,
    })
}

/// The dims as `usize` and the byte size, or `None` when they overflow. Zero dims are skipped
/// in the product check, so no partial product of the dims in any order (as stride
/// computations form) can overflow either.
fn checked_size(shape: &[u64], dtype: DType) -> Option<(Vec<usize>, u64)> {
    let dims: Vec<usize> = shape
        .iter()
        .map(|&d| usize::try_from(d).ok())
        .collect::<Option<_>>()?;
    let elem = dtype.size_in_bytes();
    dims.iter()
        .try_fold(elem, |acc, &d| acc.checked_mul(d.max(1)))?;
    let bytes = dims.iter().product::<usize>() * elem;
    Some((dims, bytes as u64))
}

/// The Kiln dtype for a safetensors dtype name.
fn dtype_from_name(name: &str) -> Option<DType> {
    DType::ALL
        .into_iter()
        .find(|d| d.safetensors_name() == name)
}

/// Sorts entries by offset and checks they tile the data section exactly.
fn check_coverage(entries: &mut [Entry], data_len: usize) -> Result<(), SafetensorsError> {
    entries.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.name).cmp(&(b.range.start, b.range.end, &b.name))
    });
    let mut covered = 0usize;
    let mut last: Option<&Entry> = None;
    for entry in entries.iter() {
        if entry.range.start < covered {
            let first = last.map(|e| e.name.clone()).unwrap_or_default();
            return Err(SafetensorsError::Overlap {
                first,
                second: entry.name.clone(),
            });
        }
        if entry.range.start > covered {
            return Err(SafetensorsError::UnindexedBytes {
                begin: covered as u64,
                end: entry.range.start as u64,
            });
        }
        covered = entry.range.end;
        last = Some(entry);
    }
    if covered < data_len {
        return Err(SafetensorsError::UnindexedBytes {
            begin: covered as u64,
            end: data_len as u64,
        });
    }
    Ok(())
}
