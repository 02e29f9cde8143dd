//! Little-endian encoding of tensor elements, the byte order safetensors stores.
//!
//! Reads take byte ranges at any alignment, so tensor data is copied straight out of a memory
//! map. On little-endian machines numeric types are a plain byte copy (`bytemuck`); elsewhere
//! each element is converted with `from_le_bytes` / `to_le_bytes`.

use half::{bf16, f16};

use super::bulk_copy;
use crate::dtype::Element;

/// An element type with a fixed-size little-endian encoding.
pub(crate) trait LeBytes: Element {
    /// Decodes `bytes` (a whole number of elements long, callers check) into elements; on
    /// an invalid encoding returns the offending byte.
    fn decode(bytes: &[u8]) -> Result<Vec<Self>, u8>;
    /// Encodes `values` and hands the bytes to `sink` in one or more pieces.
    fn encode<E>(values: &[Self], sink: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E>;
}

/// Elements encoded per staging buffer on the per-element paths (a few hundred KiB).
const CHUNK_ELEMENTS: usize = 1 << 16;

/// Encodes `values` element by element through a bounded staging buffer.
fn encode_each<T: Copy, E>(
    values: &[T],
    size: usize,
    put: impl Fn(T, &mut [u8]),
    mut sink: impl FnMut(&[u8]) -> Result<(), E>,
) -> Result<(), E> {
    let mut buf = vec![0u8; CHUNK_ELEMENTS.min(values.len()) * size];
    for chunk in values.chunks(CHUNK_ELEMENTS) {
        let bytes = &mut buf[..chunk.len() * size];
        for (&v, out) in chunk.iter().zip(bytes.chunks_exact_mut(size)) {
            put(v, out);
        }
        sink(bytes)?;
    }
    Ok(())
}

macro_rules! impl_le_bytes {
    ($($t:ty => $n:expr),* $(,)?) => {$(
        impl LeBytes for $t {
            fn decode(bytes: &[u8]) -> Result<Vec<Self>, u8> {
                if cfg!(target_endian = "little") {
                    Ok(bulk_copy::copy_to_vec(bytes))
                } else {
                    Ok(bytes
                        .chunks_exact($n)
                        .map(|chunk| {
                            let mut raw = [0u8; $n];
                            raw.copy_from_slice(chunk);
                            <$t>::from_le_bytes(raw)
                        })
                        .collect())
                }
            }

            fn encode<E>(
                values: &[Self],
                mut sink: impl FnMut(&[u8]) -> Result<(), E>,
            ) -> Result<(), E> {
                if cfg!(target_endian = "little") {
                    sink(bytemuck::cast_slice(values))
                } else {
                    encode_each(values, $n, |v: $t, out| out.copy_from_slice(&v.to_le_bytes()), sink)
                }
            }
        }
    )*};
}

impl_le_bytes!(f32 => 4, f64 => 8, f16 => 2, bf16 => 2, i64 => 8, u8 => 1);

impl LeBytes for bool {
    fn decode(bytes: &[u8]) -> Result<Vec<Self>, u8> {
        if let Some(&bad) = bytes.iter().find(|&&b| b > 1) {
            return Err(bad);
        }
        Ok(bytes.iter().map(|&b| b == 1).collect())
    }

    fn encode<E>(values: &[Self], sink: impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
        encode_each(values, 1, |v: bool, out| out[0] = u8::from(v), sink)
    }
}
