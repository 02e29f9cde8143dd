//! Shared helpers for kiln-nn's fixture tests: reading `{"shape", "data"}` JSON tensors and
//! comparing with a stated tolerance.

#![allow(dead_code)] // each test binary uses a subset

use std::collections::HashMap;
use std::path::PathBuf;

use kiln_autograd::Var;
use kiln_nn::Module;
use kiln_nn::models::{EncoderInput, SequenceClassifierOutput};
use kiln_tensor::{DType, Tensor};
use serde_json::Value;

/// Path of a file in `nn/tests/fixtures`.
pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Parses a JSON fixture.
pub fn read_json(name: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path(name)).expect("fixture exists");
    serde_json::from_str(&text).expect("fixture is valid JSON")
}

/// A `{"shape": [..], "data": [..]}` fixture entry as a tensor: int64 when the entry says
/// `"dtype": "int64"`, f32 otherwise; `null` data (a NaN in the reference) becomes NaN.
pub fn tensor_of(entry: &Value) -> Tensor {
    let shape: Vec<usize> = entry["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.as_u64().expect("dim") as usize)
        .collect();
    let data = entry["data"].as_array().expect("data");
    if entry["dtype"] == "int64" {
        let ints: Vec<i64> = data.iter().map(|x| x.as_i64().expect("int")).collect();
        return Tensor::from_vec(ints, shape);
    }
    let floats: Vec<f32> = data
        .iter()
        .map(|x| x.as_f64().map_or(f32::NAN, |f| f as f32))
        .collect();
    Tensor::from_vec(floats, shape)
}

/// A fixture entry as a tensor of `dtype`.
pub fn tensor(entry: &Value, dtype: DType) -> Tensor {
    tensor_of(entry).to_dtype(dtype)
}

/// Asserts `actual` matches `expected` in shape and within `|a − e| ≤ atol + rtol·|e|`;
/// returns the largest absolute difference.
pub fn assert_close(what: &str, actual: &Tensor, expected: &Tensor, atol: f64, rtol: f64) -> f64 {
    assert_eq!(actual.dims(), expected.dims(), "{what}: shape");
    let a = actual.to_vec::<f64>();
    let e = expected.to_vec::<f64>();
    let mut worst: f64 = 0.0;
    for (i, (x, y)) in a.iter().zip(&e).enumerate() {
        let diff = (x - y).abs();
        assert!(
            diff <= atol + rtol * y.abs(),
            "{what}: element {i}: kiln {x} vs reference {y} (diff {diff:e})"
        );
        worst = worst.max(diff);
    }
    worst
}

/// The tensors of a safetensors fixture under `nn/tests/fixtures`, by name.
pub fn read_safetensors(name: &str) -> std::collections::HashMap<String, Tensor> {
    kiln_tensor::safetensors::load(fixture_path(name))
        .expect("fixture loads")
        .into_iter()
        .collect()
}

/// The cache folder: `$KILN_CACHE`, else `~/.cache/kiln`; `None` without either variable.
pub fn kiln_cache() -> Option<PathBuf> {
    match std::env::var_os("KILN_CACHE").filter(|v| !v.is_empty()) {
        Some(dir) => Some(PathBuf::from(dir)),
        None => Some(PathBuf::from(std::env::var_os("HOME")?).join(".cache/kiln")),
    }
}

/// `$KILN_CACHE/<name>` (default `~/.cache/kiln/<name>`) when it has been fetched. `None`
/// skips the test, unless `KILN_REQUIRE_DATA=1` (as `cargo xtask test` sets), where a missing
/// folder fails it.
pub fn cached_dataset(name: &str) -> Option<PathBuf> {
    let dir = kiln_cache()?.join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("KILN_REQUIRE_DATA").as_deref() != Ok("1"),
        "{name} is required (KILN_REQUIRE_DATA=1) but {} is missing; run `cargo xtask fetch {name}`",
        dir.display()
    );
    eprintln!(
        "skipping: {} missing (cargo xtask fetch {name})",
        dir.display()
    );
    None
}

/// `t` with the positions where `mask` `[B, L]` is 0 set to zero (for comparing token states
/// `[B, L, …]` while ignoring padding).
pub fn zero_padding(t: &Tensor, mask: &Tensor) -> Tensor {
    let mut dims = mask.dims().to_vec();
    dims.resize(t.dim(), 1);
    let pad = mask.eq_scalar(0i64).reshape_to(dims);
    t.masked_fill(&pad, 0.0)
}

/// Both models hold bit-identical tensors under the same names.
pub fn assert_same_weights(a: &dyn Module, b: &dyn Module) {
    let (a, b) = (a.state_dict(), b.state_dict());
    assert_eq!(a.names().collect::<Vec<_>>(), b.names().collect::<Vec<_>>());
    for ((name, x), (_, y)) in a.iter().zip(b.iter()) {
        assert_close(name, x, y, 0.0, 0.0);
    }
}

/// The encoder input a transformers fixture was run on: `input_ids`, `attention_mask`, the
/// `token_type_ids` when the fixture has them, every hidden state, and the attentions when
/// `attentions`.
pub fn fixture_input(t: &HashMap<String, Tensor>, attentions: bool) -> EncoderInput {
    let mut input = EncoderInput::new(t["input_ids"].clone())
        .with_attention_mask(t["attention_mask"].clone())
        .with_output_hidden_states(true)
        .with_output_attentions(attentions);
    if let Some(tt) = t.get("token_type_ids") {
        input = input.with_token_type_ids(tt.clone());
    }
    input
}

/// The largest `|a − e|` over the largest `|e|` of a gradient, asserted below `rtol`.
pub fn assert_grad_close(name: &str, actual: &Tensor, expected: &Tensor, rtol: f64) -> f64 {
    assert_eq!(actual.dims(), expected.dims(), "{name}: shape");
    let a = actual.to_vec::<f64>();
    let e = expected.to_vec::<f64>();
    let scale = e.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    assert!(scale > 0.0, "{name}: the reference gradient is all zeros");
    let worst = a
        .iter()
        .zip(&e)
        .fold(0.0f64, |m, (x, y)| m.max((x - y).abs()));
    let rel = worst / scale;
    assert!(
        rel <= rtol,
        "{name}: max |diff| {worst:e} is {rel:e} of the largest gradient {scale:e}"
    );
    rel
}

/// Compares a classifier's output on [`fixture_input`] with the fixture `t`: every
/// `hidden_states.<i>` (padding positions included), every `attentions.<i>` when
/// `attentions`, the `logits` and the `loss` within `atol`; then backpropagates the loss and
/// compares each `grad.<name>` of `t` with that parameter's gradient within `grad_rtol` of
/// its scale (at least 5 of them). Returns the largest absolute difference, the largest
/// relative gradient difference and the number of gradients checked.
pub fn check_classifier_output(
    out: SequenceClassifierOutput,
    params: &HashMap<String, Var>,
    t: &HashMap<String, Tensor>,
    attentions: bool,
    atol: f64,
    grad_rtol: f64,
) -> (f64, f64, usize) {
    let mut worst: f64 = 0.0;
    let hidden = out.hidden_states.as_ref().expect("hidden states");
    for (i, h) in hidden.iter().enumerate() {
        let name = format!("hidden_states.{i}");
        worst = worst.max(assert_close(&name, &h.value(), &t[&name], atol, 0.0));
    }
    if attentions {
        for (i, a) in out
            .attentions
            .as_ref()
            .expect("attentions")
            .iter()
            .enumerate()
        {
            let name = format!("attentions.{i}");
            worst = worst.max(assert_close(&name, &a.value(), &t[&name], atol, 0.0));
        }
    }
    worst = worst.max(assert_close(
        "logits",
        &out.logits.value(),
        &t["logits"],
        atol,
        0.0,
    ));
    let loss = out.loss.expect("a loss for the labels");
    let loss_value = loss.value().reshape_to(vec![1]);
    worst = worst.max(assert_close("loss", &loss_value, &t["loss"], atol, 0.0));
    loss.backward();
    let mut grad_worst: f64 = 0.0;
    let mut checked = 0;
    for (key, expected) in t {
        if let Some(name) = key.strip_prefix("grad.") {
            let grad = params[name].grad().expect("the weight has a gradient");
            grad_worst = grad_worst.max(assert_grad_close(name, &grad, expected, grad_rtol));
            checked += 1;
        }
    }
    assert!(checked >= 5, "{checked} gradients checked");
    (worst, grad_worst, checked)
}
