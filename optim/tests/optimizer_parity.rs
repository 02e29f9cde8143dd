//! Replays `fixtures/optim_reference.json` (written by `fixtures/gen_optim.py` with torch
//! 2.15): 20 steps of every optimizer in several configurations on f64 parameters must match
//! PyTorch's trajectory within a relative error of 1e-6.

use kiln_autograd::Var;
use kiln_optim::{
    Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam, AdamConfig, AdamW, GroupSpec,
    IntoParamGroups, Optimizer, Rmsprop, RmspropConfig, Sgd, SgdConfig,
};
use kiln_tensor::Tensor;
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/optim_reference.json");
    serde_json::from_str(text).expect("fixture is valid JSON")
}

fn f(v: &Value, key: &str, default: f64) -> f64 {
    v.get(key).and_then(Value::as_f64).unwrap_or(default)
}

fn b(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Fresh f64 parameters with the fixture's initial values.
fn params(fx: &Value) -> Vec<Var> {
    let shapes = fx["shapes"].as_array().unwrap();
    let init = fx["init"].as_array().unwrap();
    shapes
        .iter()
        .zip(init)
        .map(|(shape, vals)| {
            let dims: Vec<usize> = shape
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_u64().unwrap() as usize)
                .collect();
            let vals: Vec<f64> = vals
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            Var::parameter(Tensor::from_vec(vals, dims))
        })
        .collect()
}

/// The fixture's gradient formula (see `gen_optim.py`).
fn set_grads(params: &[Var], t: usize) {
    for (k, p) in params.iter().enumerate() {
        let value = p.value();
        let g: Vec<f64> = value
            .to_vec::<f64>()
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let (t, i, k) = (t as f64, i as f64, k as f64);
                0.5 * x + (0.37 * t + 0.91 * i + 1.3 * k).sin() * (1.0 + 0.1 * t)
            })
            .collect();
        p.set_grad(Some(Tensor::from_vec(g, value.dims())));
    }
}

fn build(name: &str, c: &Value, groups: impl IntoParamGroups) -> Box<dyn Optimizer> {
    let wd = f(c, "weight_decay", 0.0);
    match name {
        "SGD" => Box::new(Sgd::new(
            groups,
            SgdConfig::new(f(c, "lr", 1e-3))
                .with_momentum(f(c, "momentum", 0.0))
                .with_dampening(f(c, "dampening", 0.0))
                .with_nesterov(b(c, "nesterov"))
                .with_weight_decay(wd)
                .with_maximize(b(c, "maximize")),
        )),
        "Adam" | "AdamW" => {
            let base = if name == "Adam" {
                AdamConfig::new(f(c, "lr", 1e-3))
            } else {
                AdamConfig::adamw(f(c, "lr", 1e-3))
            };
            let betas = c.get("betas").and_then(Value::as_array);
            let (b1, b2) = betas.map_or((0.9, 0.999), |v| {
                (v[0].as_f64().unwrap(), v[1].as_f64().unwrap())
            });
            let default_wd = base.weight_decay;
            let cfg = base
                .with_betas(b1, b2)
                .with_eps(f(c, "eps", 1e-8))
                .with_weight_decay(f(c, "weight_decay", default_wd))
                .with_amsgrad(b(c, "amsgrad"))
                .with_maximize(b(c, "maximize"));
            if name == "Adam" {
                Box::new(Adam::new(groups, cfg))
            } else {
                Box::new(AdamW::new(groups, cfg))
            }
        }
        "RMSprop" => Box::new(Rmsprop::new(
            groups,
            RmspropConfig::new(f(c, "lr", 1e-2))
                .with_alpha(f(c, "alpha", 0.99))
                .with_eps(f(c, "eps", 1e-8))
                .with_momentum(f(c, "momentum", 0.0))
                .with_centered(b(c, "centered"))
                .with_weight_decay(wd)
                .with_maximize(b(c, "maximize")),
        )),
        "Adagrad" => Box::new(Adagrad::new(
            groups,
            AdagradConfig::new(f(c, "lr", 1e-2))
                .with_lr_decay(f(c, "lr_decay", 0.0))
                .with_initial_accumulator_value(f(c, "initial_accumulator_value", 0.0))
                .with_eps(f(c, "eps", 1e-10))
                .with_weight_decay(wd)
                .with_maximize(b(c, "maximize")),
        )),
        "Adadelta" => Box::new(Adadelta::new(
            groups,
            AdadeltaConfig::new(f(c, "lr", 1.0))
                .with_rho(f(c, "rho", 0.9))
                .with_eps(f(c, "eps", 1e-6))
                .with_weight_decay(wd)
                .with_maximize(b(c, "maximize")),
        )),
        other => panic!("unknown optimizer {other} in fixture"),
    }
}

fn group_specs(ps: &[Var], groups: &Value) -> Vec<GroupSpec> {
    groups
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let idx = g["params"].as_array().unwrap();
            let mut spec =
                GroupSpec::new(idx.iter().map(|i| ps[i.as_u64().unwrap() as usize].clone()));
            if let Some(lr) = g.get("lr").and_then(Value::as_f64) {
                spec = spec.with_lr(lr);
            }
            if let Some(wd) = g.get("weight_decay").and_then(Value::as_f64) {
                spec = spec.with_weight_decay(wd);
            }
            spec
        })
        .collect()
}

fn rel_err(a: f64, b: f64) -> f64 {
    (a - b).abs() / b.abs().max(1e-12)
}

#[test]
fn every_optimizer_matches_torch_for_20_steps() {
    let fx = fixture();
    assert!(fx["torch"].as_str().unwrap().starts_with("2."));
    let cases = fx["optimizers"].as_array().unwrap();
    assert!(cases.len() >= 20);
    let mut worst = (0.0f64, String::new());
    for case in cases {
        let name = case["optimizer"].as_str().unwrap();
        let config = &case["config"];
        let ps = params(&fx);
        let mut opt = match case.get("groups") {
            Some(g) => build(name, config, group_specs(&ps, g)),
            None => build(name, config, ps.clone()),
        };
        let label = format!("{name} {config}");
        for (t, expected) in case["trajectory"].as_array().unwrap().iter().enumerate() {
            set_grads(&ps, t + 1);
            opt.step();
            let got: Vec<f64> = ps.iter().flat_map(|p| p.value().to_vec::<f64>()).collect();
            let expected: Vec<f64> = expected
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            assert_eq!(got.len(), expected.len());
            for (g, e) in got.iter().zip(&expected) {
                let err = rel_err(*g, *e);
                assert!(
                    err <= 1e-6,
                    "{label} step {}: got {g}, torch {e} (rel err {err:e})",
                    t + 1
                );
                if err > worst.0 {
                    worst = (err, label.clone());
                }
            }
        }
    }
    println!(
        "worst relative error over all optimizer cases: {:e} ({})",
        worst.0, worst.1
    );
}

#[test]
fn f32_parameters_follow_the_f64_trajectory_closely() {
    // The same Adam run in f32: the update math runs in f32 and stays close to torch's f64 path.
    let fx = fixture();
    let case = &fx["optimizers"].as_array().unwrap()[5];
    assert_eq!(case["optimizer"], "Adam");
    let ps: Vec<Var> = params(&fx)
        .iter()
        .map(|p| Var::parameter(p.value().to_dtype(kiln_tensor::DType::F32)))
        .collect();
    let mut opt = build("Adam", &case["config"], ps.clone());
    let last = case["trajectory"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    for t in 1..=20 {
        set_grads(&ps, t);
        opt.step();
    }
    assert!(
        ps.iter()
            .all(|p| p.value().dtype() == kiln_tensor::DType::F32)
    );
    let got: Vec<f64> = ps.iter().flat_map(|p| p.value().to_vec::<f64>()).collect();
    for (g, e) in got.iter().zip(last.as_array().unwrap()) {
        assert!((g - e.as_f64().unwrap()).abs() < 1e-4, "{g} vs {e}");
    }
}
