//! `Display`/`Debug` of tensors against PyTorch's `str(tensor)`, character for character.
//!
//! The fixture `fixtures/display.json` is made by `fixtures/gen_display.py` (torch 2.15.0): each
//! case holds a tensor's dtype, shape and elements (floats as bit patterns), an optional view
//! op, and the text PyTorch printed for it and for its shape.

use half::{bf16, f16};
use kiln_tensor::{DType, Shape, Tensor, tensor};
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/display.json");
    serde_json::from_str(text).expect("display.json is valid JSON")
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_u64().expect("unsigned integer"))
        .collect()
}

/// Rebuilds the tensor a fixture case describes.
fn case_tensor(case: &Value) -> Tensor {
    let shape: Vec<usize> = u64s(&case["shape"])
        .into_iter()
        .map(|d| d as usize)
        .collect();
    let values = &case["values"];
    let t = match case["dtype"].as_str().expect("dtype") {
        "F32" => Tensor::from_vec(
            u64s(values)
                .into_iter()
                .map(|b| f32::from_bits(b as u32))
                .collect(),
            shape,
        ),
        "F64" => Tensor::from_vec(
            u64s(values).into_iter().map(f64::from_bits).collect(),
            shape,
        ),
        "F16" => Tensor::from_vec(
            u64s(values)
                .into_iter()
                .map(|b| f16::from_bits(b as u16))
                .collect(),
            shape,
        ),
        "BF16" => Tensor::from_vec(
            u64s(values)
                .into_iter()
                .map(|b| bf16::from_bits(b as u16))
                .collect(),
            shape,
        ),
        "I64" => Tensor::from_vec(
            values
                .as_array()
                .expect("array")
                .iter()
                .map(|x| x.as_i64().expect("i64"))
                .collect(),
            shape,
        ),
        "U8" => Tensor::from_vec(u64s(values).into_iter().map(|b| b as u8).collect(), shape),
        "BOOL" => Tensor::from_vec(u64s(values).into_iter().map(|b| b != 0).collect(), shape),
        other => panic!("unknown dtype {other}"),
    };
    match case["op"].as_str() {
        Some("t") => t.transpose(-2, -1),
        Some(other) => panic!("unknown op {other}"),
        None => t,
    }
}

#[test]
fn display_matches_pytorch_for_every_fixture_case() {
    let fixture = fixture();
    let cases = fixture["cases"].as_array().expect("cases");
    assert!(cases.len() >= 50, "fixture has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let t = case_tensor(case);
        let expected = case["expected"].as_str().expect("expected");
        let got = format!("{t}");
        if got != expected {
            failures.push(format!("{name}:\n--- torch\n{expected}\n--- kiln\n{got}"));
        }
        assert_eq!(
            t.shape().to_torch_string(),
            case["size"].as_str().expect("size"),
            "{name}"
        );
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn debug_prints_the_same_values_as_display() {
    let t = tensor![[1, 1], [1, 0]];
    assert_eq!(format!("{t:?}"), "tensor([[1, 1],\n        [1, 0]])");
    assert_eq!(format!("{t:?}"), format!("{t}"));
    let h = Tensor::from_vec(vec![f16::from_f32(0.5), f16::from_f32(-2.0)], [2]);
    assert_eq!(
        format!("{h:?}"),
        "tensor([ 0.5000, -2.0000], dtype=torch.float16)"
    );
}

#[test]
fn seed_examples_print_as_in_the_seeds() {
    // The seeds print `torch.tensor([[1, 1], [1, 0]])` and its matrix powers and shapes.
    let m = tensor![[1, 1], [1, 0]];
    assert_eq!(m.to_string(), "tensor([[1, 1],\n        [1, 0]])");
    assert_eq!(m.shape().to_torch_string(), "torch.Size([2, 2])");
    assert_eq!(Tensor::scalar(3.0f32).to_string(), "tensor(3.)");
    assert_eq!(Shape::from(()).to_torch_string(), "torch.Size([])");
}

#[test]
fn views_print_their_own_elements() {
    let t = Tensor::arange(0i64, 12, 1).reshape(&[3, 4]);
    assert_eq!(
        t.narrow(1, 1, 2).to_string(),
        "tensor([[ 1,  2],\n        [ 5,  6],\n        [ 9, 10]])"
    );
    assert_eq!(t.select(0, 2).to_string(), "tensor([ 8,  9, 10, 11])");
    let e = Tensor::ones([3]).expand(&[2, 3]);
    assert_eq!(
        e.to_string(),
        "tensor([[1., 1., 1.],\n        [1., 1., 1.]])"
    );
    assert_eq!(
        Tensor::zeros([0]).to_dtype(DType::I64).to_string(),
        "tensor([], dtype=torch.int64)"
    );
}
