//! `clip_grad_norm_` and `clip_grad_value_` against PyTorch (`fixtures/gen_optim.py`,
//! torch 2.15): total norm and clipped gradients for the 2-, 1-, 3- and inf-norms.

use kiln_autograd::Var;
use kiln_optim::{clip_grad_norm_, clip_grad_value_};
use kiln_tensor::Tensor;
use serde_json::Value;

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

#[test]
fn clip_grad_norm_matches_torch() {
    let fx: Value = serde_json::from_str(include_str!("fixtures/optim_reference.json")).unwrap();
    let cases = fx["clip_grad_norm"].as_array().unwrap();
    let mut worst = 0.0f64;
    for case in cases {
        let norm_type = match &case["norm_type"] {
            Value::String(s) if s == "inf" => f64::INFINITY,
            v => v.as_f64().unwrap(),
        };
        let params: Vec<Var> = case["grads"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                let g = floats(g);
                let p = Var::parameter(Tensor::zeros_with(
                    [g.len()],
                    kiln_tensor::DType::F64,
                    &Default::default(),
                ));
                p.set_grad(Some(Tensor::from_vec(g, [p.dims()[0]])));
                p
            })
            .collect();
        let total = clip_grad_norm_(&params, case["max_norm"].as_f64().unwrap(), norm_type);
        let expected_total = case["total_norm"].as_f64().unwrap();
        let err = (total - expected_total).abs() / expected_total;
        assert!(err < 1e-12, "norm {norm_type}: {total} vs {expected_total}");
        worst = worst.max(err);
        for (p, clipped) in params.iter().zip(case["clipped"].as_array().unwrap()) {
            for (g, e) in p
                .grad()
                .unwrap()
                .to_vec::<f64>()
                .iter()
                .zip(floats(clipped))
            {
                let err = (g - e).abs() / e.abs().max(1e-12);
                assert!(err < 1e-12, "norm {norm_type}: clipped {g} vs {e}");
                worst = worst.max(err);
            }
        }
    }
    println!("clip_grad_norm_ worst relative error: {worst:e}");
}

#[test]
fn clip_grad_norm_skips_params_without_grad_and_returns_zero_for_none() {
    let a = Var::parameter(Tensor::from_vec(vec![1.0f32, 2.0], [2]));
    assert_eq!(clip_grad_norm_([&a], 1.0, 2.0), 0.0);
    let b = Var::parameter(Tensor::from_vec(vec![0.0f32; 2], [2]));
    b.set_grad(Some(Tensor::from_vec(vec![3.0f32, 4.0], [2])));
    let total = clip_grad_norm_([&a, &b], 1.0, 2.0);
    assert!((total - 5.0).abs() < 1e-6);
    assert!(a.grad().is_none());
    let g = b.grad().unwrap().to_vec::<f32>();
    assert!(
        (g[0] - 0.6).abs() < 1e-5 && (g[1] - 0.8).abs() < 1e-5,
        "{g:?}"
    );
}

#[test]
fn clip_grad_value_clamps_each_element() {
    let p = Var::parameter(Tensor::zeros([4]));
    p.set_grad(Some(Tensor::from_vec(vec![-3.0f32, -0.5, 0.2, 7.0], [4])));
    clip_grad_value_([&p], 1.0);
    assert_eq!(
        p.grad().unwrap().to_vec::<f32>(),
        vec![-1.0, -0.5, 0.2, 1.0]
    );
}
