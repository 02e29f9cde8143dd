//! Reading and writing named tensors in the [safetensors] format (Hugging Face's
//! `safetensors.torch.load_file` / `save_file`).
//!
//! Every Kiln dtype is supported: F32, F64, F16, BF16, I64, U8 and BOOL. Files are read through
//! a memory map and each tensor's bytes are copied out into its own storage, so the returned
//! tensors do not keep the file open. Non-contiguous tensors are written contiguous. Malformed
//! input gives a [`SafetensorsError`]; reading never panics and never allocates more than the
//! input's own size.
//!
//! ```
//! use kiln_tensor::{safetensors, tensor};
//!
//! let weight = tensor![[1.0, 2.0], [3.0, 4.0]];
//! let ids = tensor![3, 1, 4];
//! let bytes = safetensors::save_to_bytes([("weight", &weight), ("ids", &ids)], None)?;
//! let loaded = safetensors::load_from_bytes(&bytes)?;
//! assert_eq!(loaded[0].0, "weight");
//! assert_eq!(loaded[1].1.to_vec::<i64>(), vec![3, 1, 4]);
//! # Ok::<(), kiln_tensor::safetensors::SafetensorsError>(())
//! ```
//!
//! [safetensors]: https://github.com/huggingface/safetensors

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::codec::LeBytes;
pub use super::error::SafetensorsError;
use super::header::{self, Entry, METADATA_KEY};
use crate::device::Device;
use crate::dtype::DType;
use crate::tensor::Tensor;

/// Largest header accepted, in bytes (100 MB, the limit of Hugging Face's `safetensors`).
pub const MAX_HEADER_LEN: u64 = header::MAX_HEADER_LEN;

/// The contents of a safetensors file: its tensors in data order, and its `__metadata__`.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// `(name, tensor)` pairs in the order their bytes appear in the file.
    pub tensors: Vec<(String, Tensor)>,
    /// The free-form string map stored under `__metadata__`, if the file has one.
    pub metadata: Option<HashMap<String, String>>,
}

/// Reads every tensor of the safetensors file at `path` (`safetensors.torch.load_file`),
/// in the order their bytes appear in the file.
pub fn load(path: impl AsRef<Path>) -> Result<Vec<(String, Tensor)>, SafetensorsError> {
    Ok(load_with_metadata(path)?.tensors)
}

/// Reads the tensors and the `__metadata__` map of the safetensors file at `path`.
///
/// The file is memory-mapped while it is read; as with any memory map, another process
/// truncating the file during the read is outside what this function can guard against.
pub fn load_with_metadata(path: impl AsRef<Path>) -> Result<Loaded, SafetensorsError> {
    let path = path.as_ref();
    let io_err = |source| SafetensorsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let len = file.metadata().map_err(io_err)?.len();
    if len < 8 {
        return Err(SafetensorsError::TooShort { len: len as usize });
    }
    // SAFETY: the map is read-only and lives only inside this call; every tensor's bytes are
    // copied out before it is dropped. Concurrent modification of the file by another process
    // is the caller's responsibility, as for every memory-mapped read.
    // `populate` maps the whole file up front (MAP_POPULATE) instead of faulting it in 4 KiB
    // at a time while the tensors are copied out.
    let map = unsafe { memmap2::MmapOptions::new().populate().map(&file) }.map_err(io_err)?;
    load_from_bytes_with_metadata(&map)
}

/// Reads every tensor from safetensors bytes held in memory (`safetensors.torch.load`).
pub fn load_from_bytes(bytes: &[u8]) -> Result<Vec<(String, Tensor)>, SafetensorsError> {
    Ok(load_from_bytes_with_metadata(bytes)?.tensors)
}

/// Reads the tensors and the `__metadata__` map from safetensors bytes held in memory.
pub fn load_from_bytes_with_metadata(bytes: &[u8]) -> Result<Loaded, SafetensorsError> {
    let header = header::parse(bytes)?;
    let tensors = header
        .entries
        .into_iter()
        .map(|entry| {
            let tensor = read_tensor(&entry, &header.data[entry.range.clone()])?;
            Ok((entry.name, tensor))
        })
        .collect::<Result<_, SafetensorsError>>()?;
    Ok(Loaded {
        tensors,
        metadata: header.metadata,
    })
}

/// Copies one validated entry's bytes into a new tensor.
fn read_tensor(entry: &Entry, bytes: &[u8]) -> Result<Tensor, SafetensorsError> {
    fn typed<T: LeBytes>(entry: &Entry, bytes: &[u8]) -> Result<Tensor, SafetensorsError> {
        let values = T::decode(bytes).map_err(|byte| SafetensorsError::InvalidBool {
            tensor: entry.name.clone(),
            byte,
        })?;
        Ok(Tensor::from_vec(values, entry.shape.as_slice()))
    }
    match entry.dtype {
        DType::F32 => typed::<f32>(entry, bytes),
        DType::F64 => typed::<f64>(entry, bytes),
        DType::F16 => typed::<half::f16>(entry, bytes),
        DType::BF16 => typed::<half::bf16>(entry, bytes),
        DType::I64 => typed::<i64>(entry, bytes),
        DType::U8 => typed::<u8>(entry, bytes),
        DType::Bool => typed::<bool>(entry, bytes),
    }
}

/// Writes named tensors to a safetensors file at `path` (`safetensors.torch.save_file`).
///
/// Tensors are stored in the given order; `metadata` becomes the `__metadata__` map. Names must
/// be unique and not `__metadata__`.
pub fn save<'a, N: AsRef<str>>(
    path: impl AsRef<Path>,
    tensors: impl IntoIterator<Item = (N, &'a Tensor)>,
    metadata: Option<&HashMap<String, String>>,
) -> Result<(), SafetensorsError> {
    let path = path.as_ref();
    let io_err = |source| SafetensorsError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(path).map_err(io_err)?;
    let mut writer = BufWriter::new(file);
    save_to_writer(&mut writer, tensors, metadata).map_err(|e| match e {
        SafetensorsError::Write(source) => io_err(source),
        other => other,
    })?;
    writer.flush().map_err(io_err)
}

/// Serialises named tensors to safetensors bytes in memory (`safetensors.torch.save`).
pub fn save_to_bytes<'a, N: AsRef<str>>(
    tensors: impl IntoIterator<Item = (N, &'a Tensor)>,
    metadata: Option<&HashMap<String, String>>,
) -> Result<Vec<u8>, SafetensorsError> {
    let mut out = Vec::new();
    save_to_writer(&mut out, tensors, metadata)?;
    Ok(out)
}

/// Streams named tensors in the safetensors format to `writer`.
pub fn save_to_writer<'a, N: AsRef<str>>(
    mut writer: impl Write,
    tensors: impl IntoIterator<Item = (N, &'a Tensor)>,
    metadata: Option<&HashMap<String, String>>,
) -> Result<(), SafetensorsError> {
    let tensors: Vec<(N, Tensor)> = tensors
        .into_iter()
        .map(|(name, t)| (name, t.to_device(&Device::Cpu)))
        .collect();
    let header = header_bytes(&tensors, metadata)?;
    let write =
        |w: &mut dyn Write, bytes: &[u8]| w.write_all(bytes).map_err(SafetensorsError::Write);
    write(&mut writer, &(header.len() as u64).to_le_bytes())?;
    write(&mut writer, &header)?;
    for (_, tensor) in &tensors {
        write_data(&mut writer, tensor)?;
    }
    Ok(())
}

/// The JSON header, padded with spaces so the data section starts 8-byte aligned.
fn header_bytes<N: AsRef<str>>(
    tensors: &[(N, Tensor)],
    metadata: Option<&HashMap<String, String>>,
) -> Result<Vec<u8>, SafetensorsError> {
    let mut map = Map::new();
    if let Some(metadata) = metadata {
        map.insert(METADATA_KEY.to_string(), json!(metadata));
    }
    let mut offset = 0usize;
    for (name, tensor) in tensors {
        let name = name.as_ref();
        if name == METADATA_KEY {
            return Err(SafetensorsError::ReservedName);
        }
        let len = tensor.numel() * tensor.dtype().size_in_bytes();
        let entry = json!({
            "dtype": tensor.dtype().safetensors_name(),
            "shape": tensor.dims(),
            "data_offsets": [offset, offset + len],
        });
        if map.insert(name.to_string(), entry).is_some() {
            return Err(SafetensorsError::DuplicateName {
                name: name.to_string(),
            });
        }
        offset += len;
    }
    let mut bytes = Value::Object(map).to_string().into_bytes();
    bytes.resize(bytes.len().next_multiple_of(8), b' ');
    Ok(bytes)
}

/// Writes the little-endian bytes of a CPU tensor in row-major order.
fn write_data(writer: &mut impl Write, tensor: &Tensor) -> Result<(), SafetensorsError> {
    fn typed<T: LeBytes>(writer: &mut impl Write, tensor: &Tensor) -> Result<(), SafetensorsError> {
        // A strided view is copied here, one tensor at a time; a contiguous one is not.
        let tensor = tensor.contiguous();
        let (src, layout) = tensor.typed::<T>("safetensors::save");
        let values = &src[layout.offset()..layout.offset() + tensor.numel()];
        T::encode(values, |bytes| writer.write_all(bytes)).map_err(SafetensorsError::Write)
    }
    match tensor.dtype() {
        DType::F32 => typed::<f32>(writer, tensor),
        DType::F64 => typed::<f64>(writer, tensor),
        DType::F16 => typed::<half::f16>(writer, tensor),
        DType::BF16 => typed::<half::bf16>(writer, tensor),
        DType::I64 => typed::<i64>(writer, tensor),
        DType::U8 => typed::<u8>(writer, tensor),
        DType::Bool => typed::<bool>(writer, tensor),
    }
}
