//! Hostile and mutated optimizer state files (issue 20): an out-of-range or repeated parameter
//! index, a negative or NaN hyper-parameter, or a NaN / negative moment is a typed error, and
//! no mutation of a valid file makes loading or the next step panic, abort or allocate more
//! than 1 GiB.
//!
//! The proptest runs 256 cases; set `KILN_FUZZ_CASES` (e.g. 10000, with `--release`) for a
//! long run. This binary holds only these tests, so its counting allocator sees only them.

use std::collections::HashMap;

use kiln_autograd::Var;
use kiln_optim::{
    Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam, AdamConfig, AdamW, METADATA_KEY,
    OptimError, Optimizer, OptimizerState, Rmsprop, RmspropConfig, Sgd, SgdConfig,
};
use kiln_tensor::{Tensor, safetensors};
use kiln_testkit::alloc::LargestAllocation;
use kiln_testkit::mutate::{fuzz_cases, hostile_value, mutate_json};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;

#[global_allocator]
static GLOBAL: LargestAllocation = LargestAllocation;

fn params() -> Vec<Var> {
    vec![
        Var::parameter(Tensor::from_vec(
            (0..6).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>(),
            [2, 3],
        )),
        Var::parameter(Tensor::from_vec(
            (0..3).map(|i| (i as f64 * 0.11).cos()).collect::<Vec<_>>(),
            [3],
        )),
    ]
}

fn set_grads(ps: &[Var]) {
    for p in ps {
        let v = p.value();
        let g: Vec<f64> = v.to_vec::<f64>().iter().map(|x| 0.5 * x + 0.1).collect();
        p.set_grad(Some(Tensor::from_vec(g, v.dims()).to_dtype(v.dtype())));
    }
}

type Make = fn(Vec<Var>) -> Box<dyn Optimizer>;

const MAKERS: [Make; 6] = [
    |p| {
        Box::new(Sgd::new(
            p,
            SgdConfig::new(0.05).with_momentum(0.9).with_nesterov(true),
        ))
    },
    |p| Box::new(Adam::new(p, AdamConfig::new(0.01).with_amsgrad(true))),
    |p| Box::new(AdamW::new(p, AdamConfig::adamw(0.01))),
    |p| {
        Box::new(Rmsprop::new(
            p,
            RmspropConfig::new(0.01)
                .with_centered(true)
                .with_momentum(0.5),
        ))
    },
    |p| Box::new(Adagrad::new(p, AdagradConfig::new(0.1))),
    |p| Box::new(Adadelta::new(p, AdadeltaConfig::default())),
];

/// The state of optimizer `k` after two steps.
fn trained_state(k: usize) -> OptimizerState {
    let ps = params();
    let mut opt = MAKERS[k](ps.clone());
    for _ in 0..2 {
        set_grads(&ps);
        opt.step();
    }
    opt.state_dict()
}

/// Loads `state` into a fresh optimizer `k`; on success steps once (must not panic); on
/// failure checks that the optimizer kept its (empty) state.
fn load_into_fresh(k: usize, state: &OptimizerState) -> Result<(), OptimError> {
    let ps = params();
    let mut opt = MAKERS[k](ps.clone());
    let r = opt.load_state_dict(state);
    match &r {
        Ok(()) => {
            set_grads(&ps);
            opt.step();
        }
        Err(_) => assert!(opt.state_dict().state.is_empty()),
    }
    r
}

/// The file's tensors and its metadata JSON.
fn split(bytes: &[u8]) -> (Vec<(String, Tensor)>, Value) {
    let loaded = safetensors::load_from_bytes_with_metadata(bytes).unwrap();
    let json = &loaded.metadata.as_ref().unwrap()[METADATA_KEY];
    (loaded.tensors, serde_json::from_str(json).unwrap())
}

fn join(tensors: &[(String, Tensor)], header: &Value) -> Vec<u8> {
    let metadata = HashMap::from([(METADATA_KEY.to_string(), header.to_string())]);
    safetensors::save_to_bytes(
        tensors.iter().map(|(n, t)| (n.as_str(), t)),
        Some(&metadata),
    )
    .unwrap()
}

/// A state file of Adam (k = 1) whose metadata JSON was edited by `f`.
fn adam_file_with(f: impl FnOnce(&mut Value)) -> Vec<u8> {
    let (tensors, mut header) = split(&trained_state(1).to_bytes().unwrap());
    f(&mut header);
    join(&tensors, &header)
}

#[test]
fn out_of_range_and_repeated_parameter_indices_are_errors() {
    let bytes = adam_file_with(|h| h["param_groups"][0]["params"][1] = Value::from(u64::MAX));
    let state = OptimizerState::from_bytes(&bytes).unwrap();
    let e = load_into_fresh(1, &state).unwrap_err();
    assert!(
        matches!(e, OptimError::MissingState { param, .. } if param == usize::MAX),
        "{e}"
    );
    assert!(e.to_string().contains("out of range"), "{e}");

    let bytes = adam_file_with(|h| h["param_groups"][0]["params"][1] = Value::from(0));
    let e = load_into_fresh(1, &OptimizerState::from_bytes(&bytes).unwrap()).unwrap_err();
    assert!(matches!(e, OptimError::Invalid(_)), "{e}");
    assert!(e.to_string().contains("appears twice"), "{e}");

    // A state entry (step table and tensors) for a parameter that does not exist.
    let (mut tensors, mut header) = split(&trained_state(1).to_bytes().unwrap());
    header["steps"][usize::MAX.to_string()] = Value::from(1.0);
    tensors[0].0 = format!("state.{}.exp_avg", usize::MAX);
    let state = OptimizerState::from_bytes(&join(&tensors, &header)).unwrap();
    assert!(matches!(
        load_into_fresh(1, &state),
        Err(OptimError::MissingState { .. })
    ));
}

#[test]
fn negative_or_nan_hyper_parameters_are_errors() {
    type Edit = fn(&mut Value);
    let cases: [(&str, Edit); 6] = [
        ("`lr` of group 0 is -0.01", |h| {
            h["param_groups"][0]["lr"] = Value::from(-0.01)
        }),
        ("`weight_decay` of group 0 is -1", |h| {
            h["param_groups"][0]["weight_decay"] = Value::from(-1.0)
        }),
        ("`initial_lr` of group 0 is -1", |h| {
            h["param_groups"][0]["initial_lr"] = Value::from(-1.0)
        }),
        ("`eps` is -1", |h| {
            h["param_groups"][0]["options"]["eps"] = Value::from(-1.0)
        }),
        ("`betas[1]` is 1.5", |h| {
            h["param_groups"][0]["options"]["betas"][1] = Value::from(1.5)
        }),
        ("`betas[0]` is -0.1", |h| {
            h["param_groups"][0]["options"]["betas"][0] = Value::from(-0.1)
        }),
    ];
    for (want, f) in cases {
        let bytes = adam_file_with(f);
        let err = match OptimizerState::from_bytes(&bytes) {
            Err(e) => e,
            Ok(state) => load_into_fresh(1, &state).unwrap_err(),
        };
        assert!(matches!(err, OptimError::Invalid(_)), "{err}");
        let msg = err.to_string();
        assert!(msg.contains(want), "{msg} lacks {want}");
    }
    // A large but finite learning rate is accepted, as PyTorch accepts it.
    let bytes = adam_file_with(|h| h["param_groups"][0]["lr"] = Value::from(1e300));
    load_into_fresh(1, &OptimizerState::from_bytes(&bytes).unwrap()).unwrap();
}

#[test]
fn nan_lr_in_memory_and_nan_moments_are_errors() {
    let mut state = trained_state(1);
    state.param_groups[0].lr = f64::NAN;
    let e = load_into_fresh(1, &state).unwrap_err();
    assert!(
        matches!(e, OptimError::Invalid(_)) && e.to_string().contains("`lr`"),
        "{e}"
    );
    let mut state = trained_state(1);
    state.param_groups[0].lr = -1.0;
    assert!(matches!(
        load_into_fresh(1, &state),
        Err(OptimError::Invalid(_))
    ));

    // A NaN in exp_avg, an infinity in momentum_buffer, a negative second moment.
    let cases = [
        (1, 0, "exp_avg", f64::NAN),
        (1, 1, "exp_avg_sq", -1.0),
        (1, 1, "max_exp_avg_sq", f64::NEG_INFINITY),
        (0, 0, "momentum_buffer", f64::INFINITY),
        (3, 1, "square_avg", -0.5),
        (3, 1, "grad_avg", f64::NAN),
        (4, 0, "sum", -2.0),
        (5, 1, "acc_delta", f64::NAN),
    ];
    for (k, param, key, bad) in cases {
        let mut state = trained_state(k);
        let t = state.state.get_mut(&param).unwrap();
        let old = &t.tensors[key];
        let mut v = old.to_vec::<f64>();
        v[1] = bad;
        let new = Tensor::from_vec(v, old.dims()).to_dtype(old.dtype());
        t.tensors.insert(key.to_string(), new);
        // Through a file, as a resumed run reads it.
        let state = OptimizerState::from_bytes(&state.to_bytes().unwrap()).unwrap();
        let e = load_into_fresh(k, &state).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, OptimError::Invalid(_)), "{msg}");
        assert!(
            msg.contains(key) && msg.contains("element 1"),
            "{key}: {msg}"
        );
    }
    // A negative momentum or running gradient average is fine.
    let mut state = trained_state(3);
    let t = state.state.get_mut(&0).unwrap();
    let g = t.tensors["grad_avg"].neg();
    t.tensors.insert("grad_avg".into(), g);
    load_into_fresh(3, &state).unwrap();
}

// ---- mutation fuzzing ----

/// Values that break an optimizer state: [`hostile_value`]s, a wrong optimizer name, a
/// negative learning rate and a step count past f64's exact integers.
fn hostile_state_value(k: usize) -> Value {
    match k % 21 {
        18 => Value::from("Adam"),
        19 => Value::from(-1e-8),
        20 => Value::from(9.5e15),
        _ => hostile_value(k),
    }
}

/// Sets one element of a tensor to NaN, ±infinity, a negative or a huge value, renames it
/// (another parameter index, an absurd one, another key), or drops it.
fn mutate_tensors(tensors: &mut Vec<(String, Tensor)>, which: &Index, what: usize, elem: &Index) {
    if tensors.is_empty() {
        return;
    }
    let i = which.index(tensors.len());
    let (name, t) = &mut tensors[i];
    match what % 8 {
        0..4 => {
            let mut v = t.to_vec::<f64>();
            if v.is_empty() {
                return;
            }
            let j = elem.index(v.len());
            v[j] = [f64::NAN, f64::INFINITY, -1.0, 1e30][what % 4];
            *t = Tensor::from_vec(v, t.dims()).to_dtype(t.dtype());
        }
        4 => *name = format!("state.{}.exp_avg", usize::MAX),
        5 => *name = name.replacen("state.0.", "state.1.", 1),
        6 => *name = format!("{name}x"),
        _ => {
            tensors.remove(i);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases()))]

    #[test]
    fn mutated_state_files_never_panic(
        k in 0usize..6,
        json_edits in prop::collection::vec((any::<Index>(), any::<usize>()), 0..4),
        tensor_edits in prop::collection::vec((any::<Index>(), any::<usize>(), any::<Index>()), 0..3),
        byte_edits in prop::collection::vec((any::<Index>(), any::<u8>()), 0..2),
    ) {
        let (mut tensors, mut header) = split(&trained_state(k).to_bytes().unwrap());
        for (w, what) in &json_edits {
            mutate_json(&mut header, w, *what, hostile_state_value, &[]);
        }
        for (which, what, elem) in &tensor_edits {
            mutate_tensors(&mut tensors, which, *what, elem);
        }
        let mut names = std::collections::HashSet::new();
        tensors.retain(|(n, _)| names.insert(n.clone()));
        let mut bytes = join(&tensors, &header);
        for (at, byte) in &byte_edits {
            let i = at.index(bytes.len());
            bytes[i] = *byte;
        }
        if let Ok(state) = OptimizerState::from_bytes(&bytes) {
            // Into every optimizer type, not only the one that wrote it.
            for j in [k, (k + 1) % 6] {
                let _ = load_into_fresh(j, &state);
            }
        }
        LargestAllocation::assert_under_a_gib();
    }
}
