//! Mutated safetensors headers (issue 20): structured edits of a valid file's header JSON
//! (names, dtypes, shapes, offsets replaced by hostile values, entries deleted or repeated)
//! never make the reader panic, abort or allocate more than 1 GiB, and whatever Kiln accepts
//! the reference `safetensors` crate accepts with the same names and shapes. Repeated names
//! behave as in the reference reader (the later entry wins; see `header::parse`).
//!
//! The proptest runs 256 cases; set `KILN_FUZZ_CASES` (e.g. 10000, with `--release`) for a
//! long run. This binary holds only these tests, so its counting allocator sees only them.

use kiln_tensor::safetensors::{self, SafetensorsError};
use kiln_tensor::{DType, Tensor};
use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, hostile_value, mutate_json};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

/// A valid file holding a tensor of every dtype (and an empty one), with metadata.
fn valid_file() -> Vec<u8> {
    let mut tensors: Vec<(String, Tensor)> = DType::ALL
        .iter()
        .enumerate()
        .map(|(i, &d)| {
            let v: Vec<f64> = (0..6).map(|j| ((i + j) % 2) as f64).collect();
            (format!("t{i}"), Tensor::from_vec(v, [2, 3]).to_dtype(d))
        })
        .collect();
    tensors.push(("empty".into(), Tensor::zeros([0, 4])));
    let metadata = std::collections::HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::save_to_bytes(
        tensors.iter().map(|(n, t)| (n.as_str(), t)),
        Some(&metadata),
    )
    .unwrap()
}

/// The header JSON and the data section of a file.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let header = serde_json::from_slice(&bytes[8..8 + n]).unwrap();
    (header, bytes[8 + n..].to_vec())
}

fn join_raw(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// Values that break a safetensors header: [`hostile_value`]s, dtype and tensor names, and
/// shapes whose element count overflows.
fn hostile_header_value(k: usize) -> Value {
    match k % 24 {
        18 => Value::from("F32"),
        19 => Value::from("BOOL"),
        20 => Value::from("F8_E4M3"),
        21 => Value::from("t0"),
        22 => serde_json::json!([1u64 << 32, 1u64 << 32]),
        23 => serde_json::json!([0, 0]),
        _ => hostile_value(k),
    }
}

/// Kiln's result agrees with the reference reader: whatever Kiln loads, the reference loads
/// with the same names, dtypes and shapes.
fn check_against_reference(bytes: &[u8]) {
    let Ok(kiln) = safetensors::load_from_bytes(bytes) else {
        return;
    };
    let reference = ::safetensors::SafeTensors::deserialize(bytes)
        .unwrap_or_else(|e| panic!("Kiln accepted a file the reference rejects: {e}"));
    let mut want: Vec<(String, String, Vec<usize>)> = reference
        .tensors()
        .into_iter()
        .map(|(n, t)| (n, format!("{:?}", t.dtype()), t.shape().to_vec()))
        .collect();
    let mut got: Vec<(String, String, Vec<usize>)> = kiln
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                t.dtype().safetensors_name().into(),
                t.dims().to_vec(),
            )
        })
        .collect();
    want.sort();
    got.sort();
    assert_eq!(got, want);
}

#[test]
fn repeated_names_behave_as_in_the_reference_reader() {
    // Two entries named `a` for different bytes: the earlier one's bytes are left unindexed.
    let two = r#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},
                  "a":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}}"#;
    let bytes = join_raw(two, &[1, 2, 3, 4]);
    let e = safetensors::load_from_bytes(&bytes).unwrap_err();
    assert!(matches!(e, SafetensorsError::UnindexedBytes { .. }), "{e}");
    assert!(::safetensors::SafeTensors::deserialize(&bytes).is_err());
    // The same bytes named twice: the later entry wins, as in the reference crate and in
    // Python's `json.loads`, and every byte still belongs to exactly one tensor.
    let same = r#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},
                   "a":{"dtype":"U8","shape":[2,2],"data_offsets":[0,4]}}"#;
    let bytes = join_raw(same, &[1, 2, 3, 4]);
    let kiln = safetensors::load_from_bytes(&bytes).unwrap();
    assert_eq!(kiln.len(), 1);
    assert_eq!(
        (kiln[0].1.dtype(), kiln[0].1.dims()),
        (DType::U8, &[2, 2][..])
    );
    check_against_reference(&bytes);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn mutated_headers_never_panic_and_agree_with_the_reference(
        edits in prop::collection::vec((any::<Index>(), any::<usize>()), 1..4),
        data_cut in prop::option::weighted(0.15, any::<Index>()),
        lie_about_length in prop::option::weighted(0.1, 0u64..64),
    ) {
        let (mut header, mut data) = split(&valid_file());
        for (w, what) in &edits {
            mutate_json(&mut header, w, *what, hostile_header_value, &["t1", "__metadata__", "", "t0 "]);
        }
        if let Some(cut) = data_cut {
            data.truncate(cut.index(data.len() + 1));
        }
        let header = header.to_string();
        let mut bytes = join_raw(&header, &data);
        if let Some(extra) = lie_about_length {
            let n = header.len() as u64 + extra;
            bytes[..8].copy_from_slice(&n.to_le_bytes());
        }
        LargestAllocation::reset();
        check_against_reference(&bytes);
        let _ = safetensors::load_from_bytes_with_metadata(&bytes);
        LargestAllocation::assert_under_a_gib();
    }
}
