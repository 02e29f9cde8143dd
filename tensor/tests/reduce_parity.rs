//! Parity with PyTorch for var/std, logsumexp, norm, softmax/log_softmax and layer_norm on the
//! fixed inputs in `fixtures/reduce.json` (made by `fixtures/gen_reduce.py`).
//!
//! Tolerance: |kiln - torch| <= 2e-6 · (1 + |torch|) for every value (f32 on both sides).

use kiln_tensor::Tensor;
use serde_json::Value;

const TOL: f64 = 2e-6;

fn tensor(v: &Value) -> Tensor {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let values: Vec<f32> = v["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect();
    Tensor::from_vec(values, shape)
}

fn dims(args: &Value) -> Vec<i64> {
    args["dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_i64().unwrap())
        .collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect()
}

#[test]
fn matches_pytorch_fixture() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/reduce.json"
    ))
    .unwrap();
    let root: Value = serde_json::from_str(&text).unwrap();
    let named = |n: &str| tensor(&root["tensors"][n]);
    let cases = root["cases"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut worst = 0.0f64;
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let x = named(case["input"].as_str().unwrap());
        let a = &case["args"];
        let flag = |k: &str| a[k].as_bool().unwrap();
        let opt = |k: &str| a[k].as_str().map(named);
        let got = match case["op"].as_str().unwrap() {
            "var_dim" => x.var_dim(&dims(a), flag("unbiased"), flag("keepdim")),
            "std_dim" => x.std_dim(&dims(a), flag("unbiased"), flag("keepdim")),
            "logsumexp" => x.logsumexp(&dims(a), flag("keepdim")),
            "norm_p" => {
                let p = a["p"].as_f64().unwrap_or(f64::INFINITY);
                x.norm_p(p, &dims(a), flag("keepdim"))
            }
            "softmax" => x.softmax(a["dim"].as_i64().unwrap()),
            "log_softmax" => x.log_softmax(a["dim"].as_i64().unwrap()),
            "layer_norm" => {
                let (w, b) = (opt("weight"), opt("bias"));
                x.layer_norm(
                    &usizes(&a["shape"]),
                    w.as_ref(),
                    b.as_ref(),
                    a["eps"].as_f64().unwrap(),
                )
            }
            "layer_norm_mean" => {
                x.layer_norm_with_stats(
                    &usizes(&a["shape"]),
                    None,
                    None,
                    a["eps"].as_f64().unwrap(),
                )
                .1
            }
            "layer_norm_rstd" => {
                x.layer_norm_with_stats(
                    &usizes(&a["shape"]),
                    None,
                    None,
                    a["eps"].as_f64().unwrap(),
                )
                .2
            }
            other => panic!("unknown op {other} in fixture"),
        };
        let want = tensor(case);
        assert_eq!(got.dims(), want.dims(), "{name}: shape");
        for (g, w) in got.to_vec::<f64>().iter().zip(want.to_vec::<f64>()) {
            let err = (g - w).abs() / (1.0 + w.abs());
            worst = worst.max(err);
            assert!(err <= TOL, "{name}: got {g}, torch {w}");
        }
    }
    println!("worst relative error vs torch: {worst:e}");
}
