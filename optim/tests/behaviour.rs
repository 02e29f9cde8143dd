//! Optimizer behaviour beyond the parity fixtures: dtypes, skipped parameters, `zero_grad`,
//! groups added later, large (parallel) parameters.

use kiln_autograd::Var;
use kiln_optim::{Adam, AdamConfig, GroupSpec, Optimizer, Sgd, SgdConfig};
use kiln_tensor::{DType, Tensor};

#[test]
fn half_precision_parameters_update_in_their_own_dtype() {
    for dtype in [DType::F16, DType::BF16] {
        let p = Var::parameter(Tensor::from_vec(vec![1.0f32, -1.0], [2]).to_dtype(dtype));
        p.set_grad(Some(
            Tensor::from_vec(vec![1.0f32, -1.0], [2]).to_dtype(dtype),
        ));
        let mut opt = Sgd::new(vec![p.clone()], SgdConfig::new(0.5));
        opt.step();
        assert_eq!(p.value().dtype(), dtype);
        assert_eq!(p.value().to_vec::<f32>(), vec![0.5, -0.5]);
    }
}

#[test]
fn parameters_without_gradient_are_skipped_and_get_no_state() {
    let a = Var::parameter(Tensor::ones([3]));
    let b = Var::parameter(Tensor::ones([3]));
    a.set_grad(Some(Tensor::ones([3])));
    let mut opt = Adam::new(vec![a.clone(), b.clone()], AdamConfig::new(0.1));
    opt.step();
    assert_eq!(b.value().to_vec::<f32>(), vec![1.0; 3]);
    assert!(opt.param_state(0, 1).is_none());
    assert_eq!(opt.param_state(0, 0).unwrap().step(), 1);
    assert_eq!(opt.state_dict().state.len(), 1);
}

#[test]
fn zero_grad_sets_none_or_zeros() {
    let a = Var::parameter(Tensor::ones([2]));
    a.set_grad(Some(Tensor::ones([2])));
    let mut opt = Sgd::new(vec![a.clone()], SgdConfig::new(0.1));
    opt.zero_grad(false);
    assert_eq!(a.grad().unwrap().to_vec::<f32>(), vec![0.0, 0.0]);
    opt.zero_grad(true);
    assert!(a.grad().is_none());
}

#[test]
fn added_groups_take_defaults_unless_overridden() {
    let mut opt = Sgd::new(
        vec![Var::parameter(Tensor::ones([1]))],
        SgdConfig::new(0.1).with_momentum(0.9),
    );
    opt.add_param_group(GroupSpec::new([Var::parameter(Tensor::ones([1]))]).with_lr(0.5));
    opt.add_param_group(GroupSpec::new([Var::parameter(Tensor::ones([1]))]).with_weight_decay(0.2));
    assert_eq!(opt.lrs(), vec![0.1, 0.5, 0.1]);
    assert_eq!(opt.param_groups()[2].weight_decay, 0.2);
    assert_eq!(opt.momentum(1), Some(0.9));
    assert_eq!(opt.params().len(), 3);
}

#[test]
fn large_parameters_updated_in_parallel_match_the_serial_path() {
    // 100_003 elements cross the rayon threshold and end in a partial chunk; the same values in
    // small pieces take the serial path. Both must agree exactly.
    let n = 100_003;
    let vals: Vec<f32> = (0..n)
        .map(|i| ((i * 37 % 1009) as f32 - 500.0) * 1e-3)
        .collect();
    let grads: Vec<f32> = (0..n)
        .map(|i| ((i * 91 % 997) as f32 - 498.0) * 1e-3)
        .collect();
    let big = Var::parameter(Tensor::from_slice(&vals, [n]));
    big.set_grad(Some(Tensor::from_slice(&grads, [n])));
    let pieces: Vec<Var> = vals
        .chunks(1000)
        .zip(grads.chunks(1000))
        .map(|(v, g)| {
            let p = Var::parameter(Tensor::from_slice(v, [v.len()]));
            p.set_grad(Some(Tensor::from_slice(g, [g.len()])));
            p
        })
        .collect();
    let config = AdamConfig::new(0.01)
        .with_amsgrad(true)
        .with_weight_decay(0.1);
    let mut whole = Adam::new(vec![big.clone()], config.clone());
    let mut split = Adam::new(pieces.clone(), config);
    for _ in 0..3 {
        whole.step();
        split.step();
    }
    let joined: Vec<f32> = pieces
        .iter()
        .flat_map(|p| p.value().to_vec::<f32>())
        .collect();
    assert_eq!(big.value().to_vec::<f32>(), joined);
}

#[test]
#[should_panic(expected = "was moved or cast after the optimizer created it")]
fn a_parameter_cast_after_its_state_was_created_is_refused_by_name() {
    let p = Var::parameter(Tensor::ones([3]));
    let mut opt = Adam::new(vec![p.clone()], AdamConfig::new(0.1));
    p.set_grad(Some(Tensor::ones([3])));
    opt.step();
    p.update_value(|v| *v = v.to_dtype(DType::F64));
    p.set_grad(Some(Tensor::ones([3]).to_dtype(DType::F64)));
    opt.step();
}
