//! `GradScaler` behaves like `torch.amp.GradScaler`: inf/NaN gradients skip the step and halve
//! the scale, clean steps grow it after `growth_interval`, `unscale_` then clipping works.

use kiln_autograd::Var;
use kiln_optim::{GradScaler, GradScalerConfig, Optimizer, Sgd, SgdConfig, clip_grad_norm_};
use kiln_tensor::Tensor;

fn setup() -> (Var, Sgd) {
    let w = Var::parameter(Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3]));
    let opt = Sgd::new(vec![w.clone()], SgdConfig::new(0.1));
    (w, opt)
}

#[test]
fn scaled_loss_gives_scaled_gradients_that_unscale_back() {
    let (w, mut opt) = setup();
    let scaler = GradScaler::default();
    assert_eq!(scaler.get_scale(), 65536.0);
    let loss = w.mul(&w).sum(); // d/dw = 2w
    scaler.scale(&loss).backward();
    assert_eq!(
        w.grad().unwrap().to_vec::<f32>(),
        vec![131072.0, 262144.0, 393216.0]
    );
    let mut scaler = scaler;
    assert!(scaler.step(&mut opt));
    scaler.update();
    // step unscaled first: w - 0.1 * 2w = 0.8w
    assert_eq!(w.value().to_vec::<f32>(), vec![0.8, 1.6, 2.4]);
}

#[test]
fn inf_gradient_skips_the_step_and_halves_the_scale() {
    for bad in [f32::INFINITY, f32::NAN] {
        let (w, mut opt) = setup();
        let mut scaler = GradScaler::default();
        w.set_grad(Some(Tensor::from_vec(vec![1.0f32, bad, 1.0], [3])));
        assert!(!scaler.step(&mut opt));
        scaler.update();
        assert_eq!(
            w.value().to_vec::<f32>(),
            vec![1.0, 2.0, 3.0],
            "params must not change"
        );
        assert_eq!(scaler.get_scale(), 32768.0);
        assert_eq!(scaler.state_dict().growth_tracker, 0);
    }
}

#[test]
fn scale_doubles_after_growth_interval_clean_steps() {
    let (w, mut opt) = setup();
    let mut scaler = GradScaler::new(GradScalerConfig {
        growth_interval: 3,
        ..Default::default()
    });
    for i in 1..=7 {
        w.set_grad(Some(Tensor::from_vec(vec![1.0f32; 3], [3])));
        assert!(scaler.step(&mut opt));
        scaler.update();
        let expected = 65536.0 * 2f64.powi(i / 3);
        assert_eq!(scaler.get_scale(), expected, "after {i} clean steps");
    }
    // An overflow resets the count: 3 more clean steps are needed to grow again.
    w.set_grad(Some(Tensor::from_vec(vec![f32::INFINITY; 3], [3])));
    scaler.step(&mut opt);
    scaler.update();
    assert_eq!(scaler.get_scale(), 65536.0 * 4.0 * 0.5);
}

#[test]
fn unscale_then_clip_then_step() {
    let (w, mut opt) = setup();
    let mut scaler = GradScaler::default();
    w.set_grad(Some(Tensor::from_vec(
        vec![3.0f32 * 65536.0, 4.0 * 65536.0, 0.0],
        [3],
    )));
    scaler.unscale_(&mut opt);
    scaler.unscale_(&mut opt); // a second call in the same iteration changes nothing
    let norm = clip_grad_norm_(&opt.params(), 1.0, 2.0);
    assert!(
        (norm - 5.0).abs() < 1e-5,
        "norm of the unscaled gradient, got {norm}"
    );
    assert!(scaler.step(&mut opt)); // does not unscale again
    scaler.update();
    let v = w.value().to_vec::<f32>();
    assert!(
        (v[0] - (1.0 - 0.1 * 0.6)).abs() < 1e-5 && (v[1] - (2.0 - 0.1 * 0.8)).abs() < 1e-5,
        "{v:?}"
    );
}

#[test]
fn disabled_scaler_passes_through_and_state_round_trips() {
    let (w, mut opt) = setup();
    let mut off = GradScaler::new(GradScalerConfig {
        enabled: false,
        ..Default::default()
    });
    assert_eq!(off.get_scale(), 1.0);
    w.set_grad(Some(Tensor::from_vec(vec![1.0f32; 3], [3])));
    assert!(off.step(&mut opt));
    assert!((w.value().to_vec::<f32>()[0] - 0.9).abs() < 1e-6);

    let mut a = GradScaler::default();
    w.set_grad(Some(Tensor::from_vec(vec![f32::NAN; 3], [3])));
    a.step(&mut opt);
    a.update();
    let mut b = GradScaler::default();
    b.load_state_dict(&a.state_dict()).unwrap();
    assert_eq!(b.get_scale(), 32768.0);
    let mut bad = a.state_dict();
    bad.scale = f64::NAN;
    assert!(b.load_state_dict(&bad).is_err());
}
