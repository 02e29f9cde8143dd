//! Parity of convolutions, poolings and sequence poolings with PyTorch 2.15 on the fixed inputs
//! in `fixtures/functional.json` (made by `fixtures/gen_functional.py`): outputs, and the
//! gradients of `(output · grad_output).sum()` for a fixed random `grad_output` with respect to
//! the input, weight and bias.
//!
//! Tolerance (f32 on both sides): |kiln − torch| ≤ 1e-5 + 1e-5·|torch| for every value.

mod support;

use kiln_autograd::Var;
use kiln_nn::functional::{
    Conv1dOptions, Conv2dOptions, Pool1dOptions, Pool2dOptions, avg_pool1d, avg_pool2d,
    cls_pooling, conv1d, conv2d, max_pool1d, max_pool2d, max_pooling, mean_pooling,
};
use kiln_tensor::{Tensor, tensor};
use serde_json::Value;
use support::{assert_close, tensor_of};

const ATOL: f64 = 1e-5;
const RTOL: f64 = 1e-5;

fn usize_of(v: &Value) -> usize {
    v.as_u64().unwrap() as usize
}

fn pair(v: &Value) -> [usize; 2] {
    let a = v.as_array().unwrap();
    [usize_of(&a[0]), usize_of(&a[1])]
}

fn pool2d(args: &Value) -> Pool2dOptions {
    Pool2dOptions::new(pair(&args["kernel"]))
        .stride(pair(&args["stride"]))
        .padding(pair(&args["padding"]))
        .dilation(pair(&args["dilation"]))
        .ceil_mode(args["ceil_mode"].as_bool().unwrap())
        .count_include_pad(args["count_include_pad"].as_bool().unwrap())
}

fn pool1d(args: &Value) -> Pool1dOptions {
    Pool1dOptions::new(usize_of(&args["kernel"]))
        .stride(usize_of(&args["stride"]))
        .padding(usize_of(&args["padding"]))
        .dilation(usize_of(&args["dilation"]))
        .ceil_mode(args["ceil_mode"].as_bool().unwrap())
        .count_include_pad(args["count_include_pad"].as_bool().unwrap())
}

/// Runs the case's op on its inputs (`input`, optional `weight` / `bias` leaves).
fn run(case: &Value, leaves: &[(String, Var)], consts: &Value) -> Var {
    let get = |k: &str| leaves.iter().find(|(n, _)| n == k).map(|(_, v)| v);
    let x = get("input").unwrap();
    let args = &case["args"];
    match case["op"].as_str().unwrap() {
        "conv2d" => {
            let o = Conv2dOptions::new()
                .stride(pair(&args["stride"]))
                .padding(pair(&args["padding"]))
                .dilation(pair(&args["dilation"]))
                .groups(usize_of(&args["groups"]));
            conv2d(x, get("weight").unwrap(), get("bias"), &o)
        }
        "conv1d" => {
            let o = Conv1dOptions::new()
                .stride(usize_of(&args["stride"]))
                .padding(usize_of(&args["padding"]))
                .dilation(usize_of(&args["dilation"]))
                .groups(usize_of(&args["groups"]));
            conv1d(x, get("weight").unwrap(), get("bias"), &o)
        }
        "max_pool2d" => max_pool2d(x, &pool2d(args)),
        "avg_pool2d" => avg_pool2d(x, &pool2d(args)),
        "max_pool1d" => max_pool1d(x, &pool1d(args)),
        "avg_pool1d" => avg_pool1d(x, &pool1d(args)),
        "mean_pooling" => mean_pooling(x, &tensor_of(&consts["attention_mask"])),
        "max_pooling" => max_pooling(x, &tensor_of(&consts["attention_mask"])),
        "cls_pooling" => cls_pooling(x),
        other => panic!("unknown op {other}"),
    }
}

fn compare(what: &str, got: &Tensor, want: &Value) -> f64 {
    assert_close(what, got, &tensor_of(want), ATOL, RTOL)
}

#[test]
fn conv_and_pool_match_pytorch() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/functional.json")).expect("valid fixture");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 25, "fixture has {} cases", cases.len());
    let mut worst = 0.0f64;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let grads = case["grads"].as_object().unwrap();
        let leaves: Vec<(String, Var)> = grads
            .keys()
            .map(|k| (k.clone(), Var::parameter(tensor_of(&case["inputs"][k]))))
            .collect();
        let out = run(case, &leaves, &case["inputs"]);
        worst = worst.max(compare(
            &format!("{name} output"),
            &out.value(),
            &case["output"],
        ));
        out.backward_with(&tensor_of(&case["grad_output"]), false);
        for (k, leaf) in &leaves {
            let g = leaf
                .grad()
                .unwrap_or_else(|| panic!("{name}: no gradient for {k}"));
            worst = worst.max(compare(&format!("{name} grad {k}"), &g, &grads[k]));
        }
    }
    println!(
        "{} functional cases: worst abs error {worst:e}",
        cases.len()
    );
}

#[test]
fn mean_pooling_of_an_all_padding_row_is_zero() {
    // The seeds' clamp(min=1e-9) turns 0/0 into 0/1e-9 = 0.
    let hidden = Var::constant(Tensor::ones([1, 2, 3]));
    let pooled = mean_pooling(&hidden, &tensor![[0i64, 0]]);
    assert_eq!(pooled.value().to_vec::<f32>(), vec![0.0; 3]);
}

#[test]
fn conv2d_without_grad_matches_tensor_conv() {
    let x = Tensor::randn([1, 2, 5, 5]);
    let w = Tensor::randn([3, 2, 3, 3]);
    let o = Conv2dOptions::new().padding([1, 1]);
    let via_var = conv2d(
        &Var::constant(x.clone()),
        &Var::constant(w.clone()),
        None,
        &o,
    );
    assert_eq!(
        via_var.value().to_vec::<f32>(),
        x.conv2d(&w, None, &o).to_vec::<f32>()
    );
    assert!(via_var.grad_fn_name().is_none());
}

#[test]
#[should_panic(
    expected = "conv2d: weight of shape [3, 2, 3, 3] with groups=1 expects 2 input channels"
)]
fn conv2d_names_mismatched_channels() {
    let x = Var::constant(Tensor::zeros([1, 4, 5, 5]));
    let w = Var::constant(Tensor::zeros([3, 2, 3, 3]));
    conv2d(&x, &w, None, &Conv2dOptions::new());
}
