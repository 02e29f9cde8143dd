//! ktrain-style `Learner` on a tiny MLP classifier: `fit_onecycle` follows the one-cycle
//! schedule, `fit` holds the rate, and `lr_find` sweeps exponentially, smooths, stops on
//! divergence, suggests the steepest-descent rate and restores the weights bit for bit.

mod common;

use common::exclusive;

use std::path::PathBuf;

use kiln_autograd::Var;
use kiln_data::{DefaultCollate, TensorDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::{Forward, Linear, Module, ReLU, Sequential};
use kiln_tensor::{Tensor, manual_seed};
use kiln_trainer::learner::{Learner, LearnerError, LrFindConfig, steepest_descent_index};
use kiln_trainer::{OptimizerName, StepOutput, TrainingArguments};

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-learner-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// 96 points, two classes on either side of x0 = 0.
fn data() -> TensorDataset {
    let mut x = Vec::new();
    let mut y = Vec::new();
    for i in 0..96 {
        let t = i as f32;
        let class = i % 2;
        x.push(if class == 0 { -1.0 } else { 1.0 } + 0.5 * (1.3 * t).sin());
        x.push((0.7 * t).cos());
        y.push(class as i64);
    }
    TensorDataset::new(vec![
        Tensor::from_vec(x, [96, 2]),
        Tensor::from_vec(y, [96]),
    ])
}

fn mlp() -> Sequential {
    manual_seed(3);
    Sequential::new()
        .append(Linear::new(2, 16, true))
        .append(ReLU)
        .append(Linear::new(16, 2, true))
}

// The batch type of `DefaultCollate` over a `TensorDataset` is `Vec<Tensor>`.
#[allow(clippy::ptr_arg)]
fn compute_loss(m: &Sequential, batch: &Vec<Tensor>) -> StepOutput {
    let logits = m.forward(&Var::constant(batch[0].clone()));
    let loss = CrossEntropyLoss::new().forward(&logits, &Var::constant(batch[1].clone()));
    StepOutput::with_predictions(loss, logits.value(), batch[1].clone())
}

type MlpLearner = Learner<Sequential, TensorDataset, DefaultCollate, Vec<Tensor>>;

fn learner(dir: &std::path::Path) -> MlpLearner {
    let args = TrainingArguments {
        per_device_train_batch_size: 8,
        logging_steps: 1.0,
        save_steps: 1000.0,
        max_grad_norm: 0.0,
        disable_tqdm: true,
        ..TrainingArguments::new(dir)
    };
    Learner::new(mlp(), data(), args, DefaultCollate, compute_loss)
}

fn logged(learner: &MlpLearner, call: usize, key: &str) -> Vec<f64> {
    learner.history()[call]
        .log_history
        .iter()
        .filter_map(|e| e.values.get(key).copied())
        .collect()
}

fn weights(m: &Sequential) -> Vec<Vec<u32>> {
    m.state_dict()
        .iter()
        .map(|(_, t)| t.to_vec::<f32>().iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn fit_onecycle_rises_to_the_peak_and_anneals_then_fit_holds_the_rate() {
    let _rng = exclusive();
    let dir = tempdir("fit");
    let mut l = learner(&dir).with_val_data(data());
    let out = l.fit_onecycle(5e-2, 2.0).expect("trains");
    assert_eq!(out.global_step, 24, "96 / 8 = 12 steps per epoch");
    let lrs = logged(&l, 0, "learning_rate");
    assert_eq!(lrs.len(), 24);
    // PyTorch's OneCycleLR: max_lr / 25 first, max_lr after 30% of the steps, then down to
    // max_lr / 25e4.
    assert!((lrs[0] - 5e-2 / 25.0).abs() < 1e-12, "{lrs:?}");
    let (peak_at, peak) = lrs
        .iter()
        .enumerate()
        .fold((0, 0.0), |b, (i, &v)| if v > b.1 { (i, v) } else { b });
    assert!(
        (peak - 5e-2).abs() < 1e-3 && (6..=8).contains(&peak_at),
        "{lrs:?}"
    );
    assert!(lrs[23] < lrs[0] / 10.0, "{lrs:?}");
    let losses = logged(&l, 0, "loss");
    assert!(losses[23] < losses[0], "{losses:?}");
    // Validation data: evaluated every epoch.
    assert_eq!(logged(&l, 0, "eval_loss").len(), 2);
    assert!(dir.join("fit-0").join("log.jsonl").is_file());

    l.fit(1e-2, 1.0).expect("trains");
    let lrs = logged(&l, 1, "learning_rate");
    assert_eq!(lrs.len(), 12);
    assert!(lrs.iter().all(|&lr| lr == 1e-2), "{lrs:?}");
    assert!(dir.join("fit-1").join("log.jsonl").is_file());
    let metrics = l.validate().expect("validates");
    assert!(metrics["eval_loss"] < losses[0]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn lr_find_sweeps_smooths_stops_and_restores_the_weights() {
    let _rng = exclusive();
    let dir = tempdir("lr-find");
    let mut args = learner(&dir).args().clone();
    args.optim = OptimizerName::Sgd;
    let mut l = Learner::new(mlp(), data(), args, DefaultCollate, compute_loss);
    let before = weights(l.model());
    let config = LrFindConfig {
        start_lr: 1e-4,
        end_lr: 1e4,
        max_steps: 60,
        ..LrFindConfig::default()
    };
    let curve = l.lr_find(&config).expect("the range test runs");
    assert_eq!(weights(l.model()), before, "weights restored bit for bit");
    assert!(l.model().is_training());

    let n = curve.lrs.len();
    assert_eq!(curve.losses.len(), n);
    assert_eq!(curve.raw_losses.len(), n);
    // The plot draws every finite point on its log axis.
    let finite = curve.losses.iter().filter(|l| l.is_finite()).count();
    let plot = curve.plot();
    assert_eq!(plot.drawn_points(0), finite);
    assert!(plot.to_svg().contains("learning rate (log scale)"));
    // SGD at rates up to 1e4 blows the loss up well before the 60th step.
    assert!(
        curve.diverged && n < 60,
        "{n} steps, diverged {}",
        curve.diverged
    );
    assert!(n > 20, "only {n} steps: the loss fell before it rose");
    // Exponential sweep: a constant ratio, (end/start)^(1/59).
    let ratio = (1e8f64).powf(1.0 / 59.0);
    assert_eq!(curve.lrs[0], 1e-4);
    for w in curve.lrs.windows(2) {
        assert!((w[1] / w[0] - ratio).abs() < 1e-9);
    }
    // Bias-corrected moving average of the raw losses.
    let mut avg = 0.0;
    for (i, (&raw, &smooth)) in curve.raw_losses.iter().zip(&curve.losses).enumerate() {
        avg = 0.98 * avg + 0.02 * raw;
        assert!((smooth - avg / (1.0 - 0.98f64.powi(i as i32 + 1))).abs() < 1e-12);
    }
    // Stopped at the first point above 4x the best before it.
    let best = curve.losses[..n - 1]
        .iter()
        .cloned()
        .fold(f64::INFINITY, f64::min);
    let last = curve.losses[n - 1];
    assert!(!last.is_finite() || last > 4.0 * best);
    assert!(curve.losses[..n - 1].iter().all(|&v| v.is_finite()));
    // The suggestion is the steepest descent inside the skipped window.
    let window = &curve.losses[10..n - 5];
    let i = steepest_descent_index(window).expect("a window");
    assert_eq!(curve.suggested_lr, Some(curve.lrs[10 + i]));
    let min_at = (0..window.len()).fold(0, |b, j| if window[j] < window[b] { j } else { b });
    assert_eq!(
        curve.min_loss_lr_over_10,
        Some(curve.lrs[10 + min_at] / 10.0)
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn steepest_descent_follows_numpy_gradient() {
    // np.gradient([5, 4.9, 4, 2, 1.9, 1.8, 3, 9]) = [-.1, -.45, -1.45, -1.05, -.1, .55, 3.6, 6]
    assert_eq!(
        steepest_descent_index(&[5.0, 4.9, 4.0, 2.0, 1.9, 1.8, 3.0, 9.0]),
        Some(2)
    );
    // The ends use one-sided differences: the first step is the steepest here.
    assert_eq!(steepest_descent_index(&[9.0, 1.0, 0.9, 0.8]), Some(0));
    assert_eq!(steepest_descent_index(&[1.0]), None);
}

#[test]
fn bad_settings_are_typed_errors() {
    let _rng = exclusive();
    let dir = tempdir("bad");
    let mut l = learner(&dir);
    for (config, key) in [
        (
            LrFindConfig {
                start_lr: 0.0,
                ..LrFindConfig::default()
            },
            "start_lr",
        ),
        (
            LrFindConfig {
                end_lr: 1e-8,
                ..LrFindConfig::default()
            },
            "end_lr",
        ),
        (
            LrFindConfig {
                max_steps: 1,
                ..LrFindConfig::default()
            },
            "max_steps",
        ),
        (
            LrFindConfig {
                beta: 1.0,
                ..LrFindConfig::default()
            },
            "beta",
        ),
        (
            LrFindConfig {
                stop_factor: f64::NAN,
                ..LrFindConfig::default()
            },
            "stop_factor",
        ),
    ] {
        let err = l.lr_find(&config).expect_err("an error");
        assert!(
            matches!(err, LearnerError::Invalid { key: k, .. } if k == key),
            "{err}"
        );
    }
    assert!(matches!(l.validate(), Err(LearnerError::NoValidationData)));
    assert!(matches!(l.fit(-1.0, 1.0), Err(LearnerError::Args(_))));
    std::fs::remove_dir_all(&dir).ok();
}
