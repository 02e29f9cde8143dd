//! Every layer's forward output, input gradient, parameter gradients and (for BatchNorm) running
//! statistics against PyTorch 2.15 on the fixed inputs of `fixtures/gen_layers.py`.
//! Tolerance: |kiln − torch| ≤ 1e-5 + 1e-5·|torch| in f32.

mod support;

use kiln_autograd::Var;
use kiln_nn::{
    AvgPool2d, BatchNorm1d, Conv1d, Conv2d, Dropout, Embedding, Flatten, Forward, GELU,
    GeluApproximate, LayerNorm, Linear, MaxPool2d, MeanPooling, Module, ReLU, SiLU, Sigmoid,
    Softmax, StateDict, Tanh,
};
use kiln_tensor::{Conv1dOptions, Conv2dOptions, DType};
use serde_json::Value;
use support::{assert_close, read_json, tensor};

const ATOL: f64 = 1e-5;
const RTOL: f64 = 1e-5;

/// The Kiln layer matching a fixture case name.
fn build(name: &str) -> Box<dyn Forward> {
    match name {
        "linear" => Box::new(Linear::new(5, 4, true)),
        "linear_nobias_3d" => Box::new(Linear::new(5, 4, false)),
        "layer_norm" => Box::new(LayerNorm::new(&[6])),
        "batch_norm_train_2d" | "batch_norm_train_3d" | "batch_norm_eval" => {
            Box::new(BatchNorm1d::new(4))
        }
        "relu" => Box::new(ReLU),
        "gelu" => Box::new(GELU::default()),
        "gelu_tanh" => Box::new(GELU::new(GeluApproximate::Tanh)),
        "sigmoid" => Box::new(Sigmoid),
        "tanh" => Box::new(Tanh),
        "silu" => Box::new(SiLU),
        "softmax_dim1" => Box::new(Softmax::new(1)),
        "flatten" => Box::new(Flatten::default()),
        "dropout_eval" => Box::new(Dropout::new(0.3)),
        "conv2d" => Box::new(Conv2d::new(
            3,
            4,
            [3, 3],
            Conv2dOptions::new().padding([1, 1]),
            true,
        )),
        "conv2d_grouped" => Box::new(Conv2d::new(
            4,
            4,
            [3, 2],
            Conv2dOptions::new()
                .stride([2, 1])
                .dilation([1, 2])
                .groups(2),
            false,
        )),
        "conv1d" => Box::new(Conv1d::new(
            2,
            3,
            3,
            Conv1dOptions {
                stride: 2,
                padding: 1,
                ..Default::default()
            },
            true,
        )),
        "max_pool2d" => Box::new(MaxPool2d::new(2)),
        "avg_pool2d" => Box::new(AvgPool2d::new(2)),
        other => panic!("no Kiln layer for fixture case {other}"),
    }
}

fn state(case: &Value, key: &str) -> StateDict {
    let mut sd = StateDict::new();
    for (name, entry) in case[key].as_object().expect("state object") {
        sd.insert(name, tensor(entry, DType::F32));
    }
    sd
}

/// Loads the case's parameters (float entries; `num_batches_tracked` is not in the fixture).
fn load(layer: &dyn Module, case: &Value) {
    let report = layer
        .load_state_dict(&state(case, "state"), false)
        .expect("fixture state loads");
    assert!(report.unexpected_keys.is_empty(), "{:?}", report);
    assert!(
        report
            .missing_keys
            .iter()
            .all(|k| k.ends_with("num_batches_tracked")),
        "{report:?}"
    );
}

/// Backpropagates sum(y · grad_output) and compares everything the fixture recorded.
fn check_gradients_and_state(layer: &dyn Module, case: &Value, name: &str, y: &Var, x: &Var) {
    let gy = Var::constant(tensor(&case["grad_output"], DType::F32));
    y.mul(&gy).sum().backward();
    if !case["input_grad"].is_null() {
        let gx = x.grad().expect("input grad");
        assert_close(
            &format!("{name} input grad"),
            &gx,
            &tensor(&case["input_grad"], DType::F32),
            ATOL,
            RTOL,
        );
    }
    let params = layer.named_parameters();
    let expected_grads = case["param_grads"].as_object().expect("param_grads");
    assert_eq!(
        params.len(),
        expected_grads.len(),
        "{name}: parameter count"
    );
    for (pname, p) in params {
        assert_close(
            &format!("{name} grad of {pname}"),
            &p.grad().expect("param grad"),
            &tensor(&expected_grads[&pname], DType::F32),
            ATOL,
            RTOL,
        );
    }
    let after = state(case, "state_after");
    for (sname, value) in layer.state_dict().iter() {
        if let Some(expected) = after.get(sname) {
            assert_close(
                &format!("{name} {sname} after forward"),
                value,
                expected,
                ATOL,
                RTOL,
            );
        }
    }
}

#[test]
fn every_layer_matches_pytorch() {
    let fixture = read_json("layers.json");
    let cases = fixture["layers"].as_array().expect("cases");
    assert!(cases.len() >= 21);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        if name == "embedding_padding" {
            continue; // integer input: see `embedding_with_padding_idx_matches_pytorch`
        }
        let layer = build(name);
        load(&*layer, case);
        layer.train(case["train"].as_bool().expect("train"));
        let x = Var::parameter(tensor(&case["input"], DType::F32));
        let y = layer.forward(&x);
        assert_close(
            &format!("{name} output"),
            &y.value(),
            &tensor(&case["output"], DType::F32),
            ATOL,
            RTOL,
        );
        check_gradients_and_state(&*layer, case, name, &y, &x);
    }
}

#[test]
fn embedding_with_padding_idx_matches_pytorch() {
    let fixture = read_json("layers.json");
    let case = fixture["layers"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["name"] == "embedding_padding")
        .expect("embedding case");
    let layer = Embedding::new(10, 4).with_padding_idx(0);
    load(&layer, case);
    let ids = tensor(&case["input"], DType::I64);
    let y = layer.forward(&ids);
    assert_close(
        "embedding output",
        &y.value(),
        &tensor(&case["output"], DType::F32),
        ATOL,
        RTOL,
    );
    // The padding row gets no gradient even though id 0 occurs twice.
    check_gradients_and_state(&layer, case, "embedding", &y, &Var::constant(ids.clone()));
    let grad = layer.weight.grad().expect("weight grad");
    assert!(grad.select(0, 0).to_vec::<f32>().iter().all(|&g| g == 0.0));
}

#[test]
fn mean_pooling_matches_the_seeds_formula() {
    let case = &read_json("layers.json")["mean_pooling"];
    let hidden = Var::parameter(tensor(&case["hidden"], DType::F32));
    let mask = tensor(&case["mask"], DType::I64);
    let pooled = MeanPooling.forward(&hidden, &mask);
    assert_close(
        "mean pooling",
        &pooled.value(),
        &tensor(&case["output"], DType::F32),
        ATOL,
        RTOL,
    );
    pooled
        .mul(&Var::constant(tensor(&case["grad_output"], DType::F32)))
        .sum()
        .backward();
    assert_close(
        "mean pooling grad",
        &hidden.grad().expect("grad"),
        &tensor(&case["hidden_grad"], DType::F32),
        ATOL,
        RTOL,
    );
}
