//! Replays the scheduler trajectories of `fixtures/optim_reference.json` (torch 2.15 and
//! transformers, see `fixtures/gen_optim.py`): the lr of both groups after construction and
//! after each of 20 steps — plus the momentum / beta1 for OneCycleLR — must match within a
//! relative error of 1e-6.

use kiln_autograd::Var;
use kiln_optim::schedulers::{
    AnnealStrategy, ExponentialLR, LambdaLR, LrScheduler, OneCycleConfig, OneCycleLR, PlateauMode,
    ReduceLROnPlateau, ReduceLROnPlateauConfig, SequentialLR, StepLR, ThresholdMode,
    get_constant_schedule, get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
    get_linear_schedule_with_warmup,
};
use kiln_optim::{Adam, AdamConfig, GroupSpec, Optimizer, Sgd, SgdConfig};
use kiln_tensor::Tensor;
use serde_json::Value;

fn fixture() -> Value {
    serde_json::from_str(include_str!("fixtures/optim_reference.json")).unwrap()
}

/// Two groups with lr 0.1 and 0.01, like the fixture's dummy optimizer.
fn dummy(kind: &str) -> Box<dyn Optimizer> {
    let groups = || {
        vec![
            GroupSpec::new([Var::parameter(Tensor::zeros([2]))]).with_lr(0.1),
            GroupSpec::new([Var::parameter(Tensor::zeros([2]))]).with_lr(0.01),
        ]
    };
    match kind {
        "Adam" => Box::new(Adam::new(groups(), AdamConfig::new(0.1))),
        _ => Box::new(Sgd::new(groups(), SgdConfig::new(0.1).with_momentum(0.9))),
    }
}

fn num(v: &Value, k: &str) -> f64 {
    v[k].as_f64().unwrap_or_else(|| panic!("missing {k}"))
}

fn usize_of(v: &Value, k: &str) -> usize {
    v[k].as_u64().unwrap() as usize
}

fn build(name: &str, p: &Value, opt: &mut dyn Optimizer) -> Box<dyn LrScheduler> {
    match name {
        "StepLR" => Box::new(StepLR::new(opt, usize_of(p, "step_size"), num(p, "gamma"))),
        "ExponentialLR" => Box::new(ExponentialLR::new(opt, num(p, "gamma"))),
        "LambdaLR" => {
            let base = num(p, "base");
            Box::new(LambdaLR::new(opt, move |e| base.powf(e as f64)))
        }
        "constant" => Box::new(get_constant_schedule(opt)),
        "constant_with_warmup" => Box::new(get_constant_schedule_with_warmup(
            opt,
            usize_of(p, "warmup"),
        )),
        "linear_with_warmup" => Box::new(get_linear_schedule_with_warmup(
            opt,
            usize_of(p, "warmup"),
            usize_of(p, "total"),
        )),
        "cosine_with_warmup" => Box::new(get_cosine_schedule_with_warmup(
            opt,
            usize_of(p, "warmup"),
            usize_of(p, "total"),
            num(p, "num_cycles"),
        )),
        "OneCycleLR" => {
            let mut c = OneCycleConfig::new(0.0, usize_of(p, "total_steps"));
            c.max_lr = p["max_lr"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            c.three_phase = p["three_phase"].as_bool().unwrap();
            c.anneal_strategy = match p["anneal"].as_str().unwrap() {
                "cos" => AnnealStrategy::Cos,
                _ => AnnealStrategy::Linear,
            };
            Box::new(OneCycleLR::new(opt, c))
        }
        "SequentialLR" => {
            let warmup = usize_of(p, "warmup") as f64;
            let warm = LambdaLR::new(opt, move |e| (e as f64 + 1.0) / warmup);
            let decay = ExponentialLR::new(opt, num(p, "gamma"));
            Box::new(SequentialLR::new(
                opt,
                vec![Box::new(warm), Box::new(decay)],
                vec![5],
            ))
        }
        other => panic!("unknown scheduler {other}"),
    }
}

fn rows(v: &Value) -> Vec<Vec<f64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect()
        })
        .collect()
}

fn check(label: &str, step: usize, got: &[f64], expected: &[f64], worst: &mut f64) {
    assert_eq!(got.len(), expected.len(), "{label}");
    for (g, e) in got.iter().zip(expected) {
        let err = (g - e).abs() / e.abs().max(1e-12);
        assert!(err <= 1e-6, "{label} step {step}: got {g}, torch {e}");
        *worst = worst.max(err);
    }
}

fn plateau(p: &Value, opt: &mut dyn Optimizer) -> ReduceLROnPlateau {
    let config = ReduceLROnPlateauConfig {
        mode: if p["mode"] == "max" {
            PlateauMode::Max
        } else {
            PlateauMode::Min
        },
        factor: num(p, "factor"),
        patience: usize_of(p, "patience"),
        threshold: num(p, "threshold"),
        threshold_mode: if p["threshold_mode"] == "abs" {
            ThresholdMode::Abs
        } else {
            ThresholdMode::Rel
        },
        cooldown: usize_of(p, "cooldown"),
        min_lr: vec![num(p, "min_lr")],
        ..Default::default()
    };
    ReduceLROnPlateau::new(opt, config)
}

#[test]
fn every_scheduler_matches_torch_for_20_steps() {
    let fx = fixture();
    let mut worst = 0.0f64;
    let cases = fx["schedulers"].as_array().unwrap();
    assert!(cases.len() >= 13);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let p = &case["params"];
        let label = format!("{name} {p}");
        let mut opt = dummy(case["optimizer"].as_str().unwrap());
        let lrs = rows(&case["lrs"]);
        let momentum = case.get("momentum").map(rows);
        if name == "ReduceLROnPlateau" {
            let metrics: Vec<f64> = case["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_f64().unwrap())
                .collect();
            let mut s = plateau(p, opt.as_mut());
            check(&label, 0, &s.get_last_lr(), &lrs[0], &mut worst);
            for (t, m) in metrics.iter().enumerate() {
                opt.step();
                s.step(opt.as_mut(), *m);
                check(&label, t + 1, &s.get_last_lr(), &lrs[t + 1], &mut worst);
            }
            continue;
        }
        let mut s = build(name, p, opt.as_mut());
        for (t, expected) in lrs.iter().enumerate() {
            if t > 0 {
                opt.step();
                s.step(opt.as_mut());
            }
            check(&label, t, &s.get_last_lr(), expected, &mut worst);
            check(&label, t, &opt.lrs(), expected, &mut worst);
            if let Some(m) = &momentum {
                let got: Vec<f64> = (0..2).map(|g| opt.momentum(g).unwrap()).collect();
                check(&format!("{label} momentum"), t, &got, &m[t], &mut worst);
            }
        }
    }
    println!("worst relative error over all scheduler cases: {worst:e}");
}

#[test]
#[should_panic(expected = "tried to step 4 times")]
fn onecycle_panics_past_total_steps_like_torch_raises() {
    let mut opt = dummy("SGD");
    let mut s = OneCycleLR::new(opt.as_mut(), OneCycleConfig::new(0.1, 3));
    for _ in 0..4 {
        s.step(opt.as_mut());
    }
}
