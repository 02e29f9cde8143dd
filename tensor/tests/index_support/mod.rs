//! Shared by `tests/index.rs` and `tests/combine.rs`: the torch fixture `fixtures/index.json`
//! (made by `fixtures/gen_index.py` with torch 2.15.0), strided test views and naive
//! multi-index helpers for the reference implementations.

#![allow(dead_code)]

use kiln_tensor::{DType, Tensor};
use serde_json::Value;

/// One fixture case: the op, its inputs (views applied), scalar args and torch's output.
pub struct Case {
    pub name: String,
    pub op: String,
    pub inputs: Vec<Tensor>,
    pub args: Value,
    pub expected: Tensor,
}

/// The fixture cases whose op is one of `ops`.
pub fn cases(ops: &[&str]) -> Vec<Case> {
    let root: Value = serde_json::from_str(include_str!("../fixtures/index.json"))
        .expect("index.json is valid JSON");
    let all = root["cases"].as_array().expect("cases array");
    let picked: Vec<Case> = all
        .iter()
        .filter(|c| ops.contains(&c["op"].as_str().expect("op")))
        .map(|c| Case {
            name: c["name"].as_str().expect("name").to_string(),
            op: c["op"].as_str().expect("op").to_string(),
            inputs: c["inputs"]
                .as_array()
                .expect("inputs")
                .iter()
                .map(tensor)
                .collect(),
            args: c["args"].clone(),
            expected: tensor(&c["expected"]),
        })
        .collect();
    assert!(!picked.is_empty(), "no fixture cases for {ops:?}");
    picked
}

/// A JSON number, or one of the strings "inf", "-inf", "nan".
pub fn number(v: &Value) -> f64 {
    match v {
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => match s.as_str() {
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            "nan" => f64::NAN,
            other => panic!("unexpected number string {other:?}"),
        },
        n => n.as_f64().expect("number"),
    }
}

fn dtype(name: &str) -> DType {
    match name {
        "float32" => DType::F32,
        "float64" => DType::F64,
        "float16" => DType::F16,
        "bfloat16" => DType::BF16,
        "int64" => DType::I64,
        "uint8" => DType::U8,
        "bool" => DType::Bool,
        other => panic!("unknown dtype {other}"),
    }
}

/// Decodes `{"dtype", "shape", "data", "view"?}`; `"view": "t"` swaps the last two dims.
pub fn tensor(v: &Value) -> Tensor {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.as_u64().expect("dim") as usize)
        .collect();
    let data: Vec<f64> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(number)
        .collect();
    let t = Tensor::from_vec(data, shape).to_dtype(dtype(v["dtype"].as_str().expect("dtype")));
    match v.get("view").and_then(Value::as_str) {
        Some("t") => t.transpose(-2i64, -1i64),
        Some(other) => panic!("unknown view {other}"),
        None => t,
    }
}

/// Asserts equal dtype, shape and elements (NaN equals NaN), naming `what` on failure.
pub fn assert_same(actual: &Tensor, expected: &Tensor, what: &str) {
    assert_eq!(actual.dtype(), expected.dtype(), "{what}: dtype");
    assert_eq!(actual.dims(), expected.dims(), "{what}: shape");
    let (a, e) = (actual.to_vec::<f64>(), expected.to_vec::<f64>());
    let same = a
        .iter()
        .zip(&e)
        .all(|(x, y)| x == y || (x.is_nan() && y.is_nan()));
    assert!(
        same,
        "{what}: values differ\n  kiln:  {a:?}\n  torch: {e:?}"
    );
}

/// An f32 tensor with logical shape `dims` and distinct values from `start`, built as the
/// view `kind` names: 0 contiguous, 1 transposed (last two dims), 2 narrowed (dim 0 cut from a
/// larger tensor), 3 expanded (dim 0 broadcast from size 1, so values repeat).
pub fn view_of(dims: &[usize], kind: u8, start: f64) -> Tensor {
    let filled = |shape: &[usize]| {
        let n: usize = shape.iter().product();
        let data: Vec<f32> = (0..n).map(|i| (start + i as f64 * 0.5) as f32).collect();
        Tensor::from_vec(data, shape.to_vec())
    };
    let rank = dims.len();
    match kind {
        1 if rank >= 2 => {
            let mut swapped = dims.to_vec();
            swapped.swap(rank - 1, rank - 2);
            filled(&swapped).transpose(-2i64, -1i64)
        }
        3 if rank >= 1 => {
            let mut one = dims.to_vec();
            one[0] = 1;
            filled(&one).broadcast_to(dims.to_vec())
        }
        0 => filled(dims),
        _ if rank >= 1 => {
            let mut bigger = dims.to_vec();
            bigger[0] += 2;
            filled(&bigger).narrow(0usize, 1, dims[0])
        }
        _ => filled(dims),
    }
}

/// Row-major strides of `dims`.
pub fn strides(dims: &[usize]) -> Vec<usize> {
    let mut s = vec![1; dims.len()];
    for k in (0..dims.len().saturating_sub(1)).rev() {
        s[k] = s[k + 1] * dims[k + 1];
    }
    s
}

/// The multi-index of flat position `flat` in `dims`.
pub fn unravel(mut flat: usize, dims: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; dims.len()];
    for k in (0..dims.len()).rev() {
        idx[k] = flat % dims[k];
        flat /= dims[k];
    }
    idx
}

/// The element of row-major `values` (shape `dims`) at `idx` under broadcasting: `idx` may have
/// more dims than `dims` (leading ones ignored) and size-1 dims read index 0.
pub fn at(values: &[f64], dims: &[usize], idx: &[usize]) -> f64 {
    let lead = idx.len() - dims.len();
    let s = strides(dims);
    let flat: usize = (0..dims.len())
        .map(|k| {
            if dims[k] == 1 {
                0
            } else {
                idx[lead + k] * s[k]
            }
        })
        .sum();
    values[flat]
}

/// A deterministic pseudo-random stream (64-bit LCG) for index values inside proptests.
pub fn lcg(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    move |bound| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        if bound == 0 { 0 } else { (state >> 33) % bound }
    }
}
