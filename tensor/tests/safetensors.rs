//! Safetensors reading and writing: round trips in every dtype, interop with Hugging Face's
//! `safetensors` (a fixture written by `safetensors.torch.save_file`, and Kiln's output read by
//! the independent `safetensors` crate), and a typed error for every kind of malformed file.

use std::collections::HashMap;

use half::{bf16, f16};
use kiln_tensor::safetensors::{self, SafetensorsError};
use kiln_tensor::{DType, Tensor, tensor};
use proptest::prelude::*;
use serde_json::Value;

/// The bytes of a safetensors file with this header JSON and data section.
fn file(header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

fn err(bytes: &[u8]) -> SafetensorsError {
    safetensors::load_from_bytes(bytes).expect_err("malformed input must be rejected")
}

/// Raw row-major bytes of a tensor, as the format stores them.
fn raw_bytes(t: &Tensor) -> Vec<u8> {
    match t.dtype() {
        DType::F32 => t
            .to_vec::<f32>()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DType::F64 => t
            .to_vec::<f64>()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DType::F16 => t
            .to_vec::<f16>()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DType::BF16 => t
            .to_vec::<bf16>()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DType::I64 => t
            .to_vec::<i64>()
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect(),
        DType::U8 => t.to_vec::<u8>(),
        DType::Bool => t.to_vec::<bool>().iter().map(|&b| u8::from(b)).collect(),
    }
}

/// Same dtype, shape and bit-identical elements (so NaN and -0.0 compare exactly).
fn assert_same(name: &str, got: &Tensor, want: &Tensor) {
    assert_eq!(got.dtype(), want.dtype(), "{name}: dtype");
    assert_eq!(got.dims(), want.dims(), "{name}: shape");
    assert_eq!(raw_bytes(got), raw_bytes(want), "{name}: values");
}

fn every_dtype() -> Vec<(String, Tensor)> {
    let base = Tensor::arange(-3.0f64, 3.0, 0.5).reshape(&[3, 4]);
    vec![
        ("f32".into(), base.to_dtype(DType::F32)),
        ("f64".into(), &base / 3.0),
        ("f16".into(), base.to_dtype(DType::F16)),
        ("bf16".into(), base.to_dtype(DType::BF16)),
        ("i64".into(), tensor![[i64::MIN, -1, 0], [1, 2, i64::MAX]]),
        ("u8".into(), tensor![[0u8, 1, 255]]),
        ("bool".into(), tensor![[true, false], [false, true]]),
        ("scalar".into(), Tensor::scalar(7.5f32)),
        ("empty".into(), Tensor::zeros([0, 3]).to_dtype(DType::I64)),
    ]
}

#[test]
fn round_trip_in_every_dtype_through_bytes() {
    let tensors = every_dtype();
    let bytes =
        safetensors::save_to_bytes(tensors.iter().map(|(n, t)| (n.as_str(), t)), None).unwrap();
    let loaded = safetensors::load_from_bytes(&bytes).unwrap();
    assert_eq!(loaded.len(), tensors.len());
    for ((name, want), (got_name, got)) in tensors.iter().zip(&loaded) {
        assert_eq!(
            name, got_name,
            "tensors come back in the order they were written"
        );
        assert_same(name, got, want);
    }
}

#[test]
fn round_trip_through_a_file_with_metadata() {
    let dir = std::env::temp_dir().join(format!("kiln-safetensors-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("model.safetensors");
    let tensors = every_dtype();
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    safetensors::save(
        &path,
        tensors.iter().map(|(n, t)| (n.as_str(), t)),
        Some(&metadata),
    )
    .unwrap();
    let loaded = safetensors::load_with_metadata(&path).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(loaded.metadata, Some(metadata));
    for ((name, want), (_, got)) in tensors.iter().zip(&loaded.tensors) {
        assert_same(name, got, want);
    }
}

#[test]
fn non_contiguous_tensors_are_written_contiguous() {
    let base = Tensor::arange(0i64, 24, 1).reshape(&[2, 3, 4]);
    let views = [
        base.transpose(0, 2),
        base.narrow(2, 1, 2),
        tensor![1.0, 2.0].expand(&[3, 2]),
    ];
    let named: Vec<(String, &Tensor)> = views
        .iter()
        .enumerate()
        .map(|(i, t)| (format!("v{i}"), t))
        .collect();
    let bytes = safetensors::save_to_bytes(named.iter().map(|(n, t)| (n, *t)), None).unwrap();
    for ((name, view), (_, got)) in named
        .iter()
        .zip(safetensors::load_from_bytes(&bytes).unwrap())
    {
        assert!(got.is_contiguous());
        assert_same(name, &got, view);
    }
}

/// The fixture's expected tensors, rebuilt from `interop.json`.
fn interop_expected() -> (Value, Vec<(String, Tensor)>) {
    let json: Value = serde_json::from_str(include_str!("fixtures/interop.json")).unwrap();
    let tensors = json["tensors"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, entry)| {
            let shape: Vec<usize> = entry["shape"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let values = entry["values"].as_array().unwrap();
            let bits = || values.iter().map(|v| v.as_u64().unwrap());
            let t = match entry["dtype"].as_str().unwrap() {
                "F32" => {
                    Tensor::from_vec(bits().map(|b| f32::from_bits(b as u32)).collect(), shape)
                }
                "F64" => Tensor::from_vec(bits().map(f64::from_bits).collect(), shape),
                "F16" => {
                    Tensor::from_vec(bits().map(|b| f16::from_bits(b as u16)).collect(), shape)
                }
                "BF16" => {
                    Tensor::from_vec(bits().map(|b| bf16::from_bits(b as u16)).collect(), shape)
                }
                "I64" => {
                    Tensor::from_vec(values.iter().map(|v| v.as_i64().unwrap()).collect(), shape)
                }
                "U8" => Tensor::from_vec(bits().map(|b| b as u8).collect(), shape),
                "BOOL" => Tensor::from_vec(bits().map(|b| b != 0).collect(), shape),
                other => panic!("unknown dtype {other}"),
            };
            (name.clone(), t)
        })
        .collect();
    (json, tensors)
}

#[test]
fn reads_a_file_written_by_hugging_face_safetensors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/interop.safetensors"
    );
    let (json, expected) = interop_expected();
    assert_eq!(expected.len(), 10);
    let loaded = safetensors::load_with_metadata(path).unwrap();
    let got: HashMap<_, _> = loaded.tensors.into_iter().collect();
    assert_eq!(got.len(), expected.len());
    for (name, want) in &expected {
        assert_same(name, &got[name], want);
    }
    let metadata: HashMap<String, String> =
        serde_json::from_value(json["metadata"].clone()).unwrap();
    assert_eq!(loaded.metadata, Some(metadata));
}

#[test]
fn kiln_output_parses_with_the_reference_safetensors_crate() {
    let (_, expected) = interop_expected();
    let bytes =
        safetensors::save_to_bytes(expected.iter().map(|(n, t)| (n.as_str(), t)), None).unwrap();
    let reference = ::safetensors::SafeTensors::deserialize(&bytes)
        .expect("reference crate accepts Kiln output");
    assert_eq!(reference.len(), expected.len());
    for (name, want) in &expected {
        let view = reference.tensor(name).unwrap();
        assert_eq!(
            format!("{:?}", view.dtype()),
            want.dtype().safetensors_name(),
            "{name}"
        );
        assert_eq!(view.shape(), want.dims(), "{name}");
        assert_eq!(view.data(), raw_bytes(want).as_slice(), "{name}");
    }
}

#[test]
fn truncated_inputs_are_rejected() {
    assert!(matches!(err(&[]), SafetensorsError::TooShort { len: 0 }));
    assert!(matches!(
        err(&[1, 0, 0, 0, 0]),
        SafetensorsError::TooShort { len: 5 }
    ));
    let good = safetensors::save_to_bytes([("w", &tensor![1.0, 2.0])], None).unwrap();
    // Cut inside the header: the declared length runs past the end.
    assert!(matches!(
        err(&good[..20]),
        SafetensorsError::HeaderExceedsInput { available: 12, .. }
    ));
    // Cut inside the data: the tensor's range runs past the end.
    let e = err(&good[..good.len() - 1]);
    assert!(
        matches!(&e, SafetensorsError::OffsetOutOfRange { tensor, end: 8, data_len: 7 } if tensor == "w"),
        "{e}"
    );
    assert!(e.to_string().contains("`w`"));
}

#[test]
fn header_length_beyond_the_file_or_absurd_is_rejected() {
    let mut bytes = file("{}", &[]);
    bytes[..8].copy_from_slice(&1000u64.to_le_bytes());
    assert!(matches!(
        err(&bytes),
        SafetensorsError::HeaderExceedsInput {
            declared: 1000,
            available: 2
        }
    ));
    bytes[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(
        err(&bytes),
        SafetensorsError::HeaderTooLarge { declared: u64::MAX }
    ));
}

#[test]
fn invalid_json_headers_are_rejected() {
    for header in [
        "{\"a\": ",
        "[1, 2]",
        "\u{0}",
        "{\"a\": 1}",
        "{\"__metadata__\": {\"k\": 3}}",
    ] {
        let e = err(&file(header, &[]));
        assert!(
            matches!(
                e,
                SafetensorsError::InvalidHeader { .. } | SafetensorsError::InvalidEntry { .. }
            ),
            "{header}: {e}"
        );
    }
    let e = err(&[2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe]);
    assert!(matches!(e, SafetensorsError::InvalidHeader { .. }), "{e}");
    let e = err(&file(r#"{"x": {"dtype": "F32", "shape": [1]}}"#, &[0; 4]));
    assert!(
        matches!(&e, SafetensorsError::InvalidEntry { tensor, .. } if tensor == "x"),
        "{e}"
    );
    let e = err(&file(
        r#"{"x": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}"#,
        &[0; 4],
    ));
    assert!(
        matches!(&e, SafetensorsError::InvalidEntry { tensor, .. } if tensor == "x"),
        "{e}"
    );
}

#[test]
fn overlapping_offsets_are_rejected() {
    let header = r#"{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                     "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}"#;
    let e = err(&file(header, &[0; 12]));
    assert!(
        matches!(&e, SafetensorsError::Overlap { first, second } if first == "a" && second == "b"),
        "{e}"
    );
}

#[test]
fn out_of_range_and_reversed_offsets_are_rejected() {
    let header = r#"{"a": {"dtype": "U8", "shape": [4], "data_offsets": [4, 8]}}"#;
    let e = err(&file(header, &[0; 6]));
    assert!(
        matches!(&e, SafetensorsError::OffsetOutOfRange { tensor, end: 8, data_len: 6 } if tensor == "a"),
        "{e}"
    );
    let header = r#"{"a": {"dtype": "U8", "shape": [0], "data_offsets": [4, 2]}}"#;
    let e = err(&file(header, &[0; 4]));
    assert!(
        matches!(
            &e,
            SafetensorsError::ReversedOffsets {
                begin: 4,
                end: 2,
                ..
            }
        ),
        "{e}"
    );
    let huge = format!(
        r#"{{"a": {{"dtype": "U8", "shape": [1], "data_offsets": [{}, {}]}}}}"#,
        u64::MAX - 1,
        u64::MAX
    );
    assert!(matches!(
        err(&file(&huge, &[0; 4])),
        SafetensorsError::OffsetOutOfRange { .. }
    ));
}

#[test]
fn gaps_and_trailing_bytes_are_rejected() {
    let header = r#"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]}}"#;
    assert!(matches!(
        err(&file(header, &[0; 4])),
        SafetensorsError::UnindexedBytes { begin: 0, end: 2 }
    ));
    let header = r#"{"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}"#;
    assert!(matches!(
        err(&file(header, &[0; 5])),
        SafetensorsError::UnindexedBytes { begin: 2, end: 5 }
    ));
}

#[test]
fn unknown_dtype_is_rejected_naming_the_tensor() {
    let header = r#"{"w": {"dtype": "F8_E4M3", "shape": [4], "data_offsets": [0, 4]}}"#;
    let e = err(&file(header, &[0; 4]));
    assert!(
        matches!(&e, SafetensorsError::UnknownDtype { tensor, dtype } if tensor == "w" && dtype == "F8_E4M3"),
        "{e}"
    );
    assert!(e.to_string().contains("`w`") && e.to_string().contains("F8_E4M3"));
}

#[test]
fn shape_disagreeing_with_the_byte_count_is_rejected() {
    let header = r#"{"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 20]}}"#;
    let e = err(&file(header, &[0; 20]));
    assert!(
        matches!(&e, SafetensorsError::ByteCountMismatch { tensor, expected: 24, actual: 20, .. } if tensor == "w"),
        "{e}"
    );
}

#[test]
fn shape_product_overflow_is_rejected() {
    let header =
        r#"{"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}"#;
    assert!(matches!(
        err(&file(header, &[0; 4])),
        SafetensorsError::ShapeOverflow { .. }
    ));
    // The element size alone pushes it over, and a zero dim does not hide the overflow.
    let header =
        r#"{"w": {"dtype": "F64", "shape": [0, 4611686018427387904], "data_offsets": [0, 0]}}"#;
    assert!(matches!(
        err(&file(header, &[])),
        SafetensorsError::ShapeOverflow { .. }
    ));
}

#[test]
fn invalid_bool_bytes_are_rejected() {
    let header = r#"{"m": {"dtype": "BOOL", "shape": [2], "data_offsets": [0, 2]}}"#;
    let e = err(&file(header, &[1, 7]));
    assert!(
        matches!(&e, SafetensorsError::InvalidBool { tensor, byte: 7 } if tensor == "m"),
        "{e}"
    );
}

#[test]
fn saving_rejects_duplicate_and_reserved_names() {
    let t = tensor![1.0];
    let e = safetensors::save_to_bytes([("a", &t), ("a", &t)], None).unwrap_err();
    assert!(
        matches!(&e, SafetensorsError::DuplicateName { name } if name == "a"),
        "{e}"
    );
    let e = safetensors::save_to_bytes([("__metadata__", &t)], None).unwrap_err();
    assert!(matches!(e, SafetensorsError::ReservedName), "{e}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let e = safetensors::load("/nonexistent/kiln/model.safetensors").unwrap_err();
    assert!(matches!(e, SafetensorsError::Io { .. }));
    assert!(
        e.to_string()
            .contains("/nonexistent/kiln/model.safetensors"),
        "{e}"
    );
}

fn any_dtype() -> impl Strategy<Value = DType> {
    prop::sample::select(DType::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = safetensors::load_from_bytes(&bytes);
    }

    #[test]
    fn random_headers_never_panic(header in "\\{[\"a-z0-9:,\\[\\]{} _-]{0,80}\\}", data in prop::collection::vec(any::<u8>(), 0..32)) {
        let _ = safetensors::load_from_bytes(&file(&header, &data));
    }

    #[test]
    fn mutated_valid_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let tensors = every_dtype();
        let mut bytes = safetensors::save_to_bytes(tensors.iter().map(|(n, t)| (n.as_str(), t)), None).unwrap();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = safetensors::load_from_bytes(&bytes);
        let _ = safetensors::load_from_bytes(&bytes[..cut.index(bytes.len())]);
    }

    #[test]
    fn round_trip_random_shapes_and_views(
        dims in prop::collection::vec(0usize..4, 0..4),
        dtype in any_dtype(),
        transpose in any::<bool>(),
    ) {
        let n: usize = dims.iter().product();
        let t = Tensor::from_vec((0..n).map(|i| i as f64 * 0.75 - 2.0).collect::<Vec<f64>>(), dims.clone()).to_dtype(dtype);
        let t = if transpose && dims.len() >= 2 { t.transpose(0, -1) } else { t };
        let bytes = safetensors::save_to_bytes([("t", &t)], None).unwrap();
        let loaded = safetensors::load_from_bytes(&bytes).unwrap();
        prop_assert_eq!(loaded.len(), 1);
        assert_same("t", &loaded[0].1, &t);
    }
}
