//! `state_dict` / `load_state_dict`: exact resumption through a safetensors file, and typed
//! errors (never panics) for mismatched or corrupt state.

use kiln_autograd::Var;
use kiln_optim::{
    Adadelta, AdadeltaConfig, Adagrad, AdagradConfig, Adam, AdamConfig, AdamW, OptimError,
    Optimizer, OptimizerState, Rmsprop, RmspropConfig, Sgd, SgdConfig,
};
use kiln_tensor::Tensor;
use proptest::prelude::*;

fn params() -> Vec<Var> {
    vec![
        Var::parameter(Tensor::from_vec(
            (0..12).map(|i| (i as f32 * 0.37).sin()).collect::<Vec<_>>(),
            [3, 4],
        )),
        Var::parameter(Tensor::from_vec(
            (0..5).map(|i| (i as f64 * 0.11).cos()).collect::<Vec<_>>(),
            [5],
        )),
    ]
}

fn set_grads(ps: &[Var], t: usize) {
    for (k, p) in ps.iter().enumerate() {
        let v = p.value();
        let g: Vec<f64> = v
            .to_vec::<f64>()
            .iter()
            .enumerate()
            .map(|(i, x)| 0.3 * x + ((t * 7 + i * 3 + k) as f64 * 0.21).sin())
            .collect();
        p.set_grad(Some(Tensor::from_vec(g, v.dims()).to_dtype(v.dtype())));
    }
}

type Make = fn(Vec<Var>) -> Box<dyn Optimizer>;

fn makers() -> Vec<(&'static str, Make)> {
    vec![
        ("sgd", |p| {
            Box::new(Sgd::new(
                p,
                SgdConfig::new(0.05).with_momentum(0.9).with_nesterov(true),
            ))
        }),
        ("adam", |p| {
            Box::new(Adam::new(p, AdamConfig::new(0.01).with_amsgrad(true)))
        }),
        ("adamw", |p| {
            Box::new(AdamW::new(p, AdamConfig::adamw(0.01)))
        }),
        ("rmsprop", |p| {
            Box::new(Rmsprop::new(
                p,
                RmspropConfig::new(0.01)
                    .with_centered(true)
                    .with_momentum(0.5),
            ))
        }),
        ("adagrad", |p| {
            Box::new(Adagrad::new(p, AdagradConfig::new(0.1).with_lr_decay(0.01)))
        }),
        ("adadelta", |p| {
            Box::new(Adadelta::new(p, AdadeltaConfig::default()))
        }),
    ]
}

fn values(ps: &[Var]) -> Vec<Vec<u64>> {
    ps.iter()
        .map(|p| {
            p.value()
                .to_vec::<f64>()
                .iter()
                .map(|x| x.to_bits())
                .collect()
        })
        .collect()
}

#[test]
fn resuming_from_a_file_is_bit_exact() {
    let dir = std::env::temp_dir().join(format!("kiln-optim-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (name, make) in makers() {
        let straight = params();
        let mut opt = make(straight.clone());
        for t in 1..=20 {
            set_grads(&straight, t);
            opt.step();
        }

        let first = params();
        let mut opt = make(first.clone());
        for t in 1..=10 {
            set_grads(&first, t);
            opt.step();
        }
        opt.set_lr(0, opt.lr(0)); // group hyper-parameters travel too
        let path = dir.join(format!("{name}.safetensors"));
        opt.state_dict().save(&path).unwrap();

        // A fresh process would rebuild the model from its checkpoint: copy the values.
        let resumed: Vec<Var> = first.iter().map(|p| Var::parameter(p.value())).collect();
        let mut opt2 = make(resumed.clone());
        opt2.load_state_dict(&OptimizerState::load(&path).unwrap())
            .unwrap();
        for t in 11..=20 {
            set_grads(&resumed, t);
            opt2.step();
        }
        assert_eq!(
            values(&resumed),
            values(&straight),
            "{name}: resumed run differs"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn loaded_hyper_parameters_replace_the_constructor_ones() {
    let ps = params();
    let mut a = Adam::new(ps.clone(), AdamConfig::new(0.5).with_betas(0.8, 0.9));
    set_grads(&ps, 1);
    a.step();
    let mut b = Adam::new(params(), AdamConfig::new(0.001));
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(b.lr(0), 0.5);
    assert_eq!(b.param_groups()[0].options.betas, (0.8, 0.9));
    assert_eq!(b.param_state(0, 1).unwrap().step(), 1);
}

#[test]
fn mismatches_give_typed_errors() {
    let ps = params();
    let mut adam = Adam::new(ps.clone(), AdamConfig::default());
    set_grads(&ps, 1);
    adam.step();
    let state = adam.state_dict();

    let mut sgd = Sgd::new(params(), SgdConfig::new(0.1));
    assert!(matches!(
        sgd.load_state_dict(&state),
        Err(OptimError::WrongOptimizer { .. })
    ));

    let mut fewer = Adam::new(vec![params()[0].clone()], AdamConfig::default());
    assert!(matches!(
        fewer.load_state_dict(&state),
        Err(OptimError::ParamCount {
            group: 0,
            expected: 1,
            found: 2
        })
    ));

    let mut two_groups = Adam::new(params(), AdamConfig::default());
    two_groups.add_param_group(kiln_optim::GroupSpec::new([Var::parameter(Tensor::zeros(
        [1],
    ))]));
    assert!(matches!(
        two_groups.load_state_dict(&state),
        Err(OptimError::GroupCount {
            expected: 2,
            found: 1
        })
    ));

    let other_shapes = vec![
        Var::parameter(Tensor::zeros([4, 3])),
        Var::parameter(Tensor::zeros([5])),
    ];
    let mut reshaped = Adam::new(other_shapes, AdamConfig::default());
    let err = reshaped.load_state_dict(&state).unwrap_err();
    assert!(
        matches!(err, OptimError::ShapeMismatch { param: 0, .. }),
        "{err}"
    );

    let mut missing = state.clone();
    missing
        .state
        .get_mut(&1)
        .unwrap()
        .tensors
        .remove("exp_avg_sq");
    let mut fresh = Adam::new(params(), AdamConfig::default());
    assert!(matches!(
        fresh.load_state_dict(&missing),
        Err(OptimError::MissingState { param: 1, .. })
    ));

    let mut bad_step = state.clone();
    bad_step.state.get_mut(&0).unwrap().step = Some(-1.0);
    assert!(matches!(
        fresh.load_state_dict(&bad_step),
        Err(OptimError::Invalid(_))
    ));

    let mut bad_options = state.clone();
    bad_options.param_groups[0].options = serde_json::json!({"betas": "oops"});
    assert!(matches!(
        fresh.load_state_dict(&bad_options),
        Err(OptimError::Invalid(_))
    ));
    // A failed load leaves the optimizer as it was: it has no state yet.
    assert!(fresh.param_state(0, 0).is_none());
}

#[test]
fn corrupt_files_give_errors() {
    let ps = params();
    let mut adam = Adam::new(ps.clone(), AdamConfig::default());
    set_grads(&ps, 1);
    adam.step();
    let bytes = adam.state_dict().to_bytes().unwrap();
    assert!(OptimizerState::from_bytes(&bytes).is_ok());
    assert!(OptimizerState::from_bytes(&bytes[..bytes.len() / 2]).is_err());
    assert!(OptimizerState::from_bytes(b"not a file").is_err());
    let plain =
        kiln_tensor::safetensors::save_to_bytes([("state.0.exp_avg", &Tensor::zeros([1]))], None)
            .unwrap();
    assert!(matches!(
        OptimizerState::from_bytes(&plain),
        Err(OptimError::Invalid(_))
    ));
    let missing = std::env::temp_dir().join("kiln-optim-no-such-file.safetensors");
    assert!(OptimizerState::load(missing).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn flipped_bytes_never_panic(pos in 0usize..4096, byte in any::<u8>()) {
        let ps = params();
        let mut adam = Adam::new(ps.clone(), AdamConfig::default().with_amsgrad(true));
        set_grads(&ps, 1);
        adam.step();
        let mut bytes = adam.state_dict().to_bytes().unwrap();
        let i = pos % bytes.len();
        bytes[i] = byte;
        if let Ok(state) = OptimizerState::from_bytes(&bytes) {
            let mut fresh = Adam::new(params(), AdamConfig::default().with_amsgrad(true));
            let _ = fresh.load_state_dict(&state);
        }
    }
}
