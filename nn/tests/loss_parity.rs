//! Parity of every loss with PyTorch 2.15 on the fixed inputs in `fixtures/losses.json` (made by
//! `fixtures/gen_losses.py`): forward values and the gradients of `output.sum()` with respect
//! to the input and float targets, for every reduction and the main options; plus the seeds'
//! numbers and the losses' `Display`.
//!
//! Tolerance (f32 on both sides): |kiln − torch| ≤ 2e-5 + 2e-5·|torch| for every value.

mod support;

use kiln_autograd::Var;
use kiln_nn::functional::{KlDivReduction, Reduction};
use kiln_nn::loss::{
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
};
use kiln_tensor::{Tensor, tensor};
use serde_json::Value;
use support::tensor_of;

const ATOL: f64 = 2e-5;
const RTOL: f64 = 2e-5;

fn reduction(name: &str) -> Reduction {
    match name {
        "none" => Reduction::None,
        "mean" => Reduction::Mean,
        "sum" => Reduction::Sum,
        other => panic!("unknown reduction {other}"),
    }
}

/// Runs the case's loss through its `kiln_nn::loss` struct.
fn run(case: &Value, x: &Var, t: &Var) -> Var {
    let o = &case["options"];
    let red = case["reduction"].as_str().unwrap();
    let weight = o.get("weight").map(tensor_of);
    let f64_opt = |k: &str| o.get(k).and_then(Value::as_f64);
    match case["loss"].as_str().unwrap() {
        "cross_entropy" => {
            let mut l = CrossEntropyLoss::new().with_reduction(reduction(red));
            if let Some(w) = weight {
                l = l.with_weight(w);
            }
            if let Some(i) = o.get("ignore_index").and_then(Value::as_i64) {
                l = l.with_ignore_index(i);
            }
            if let Some(s) = f64_opt("label_smoothing") {
                l = l.with_label_smoothing(s);
            }
            l.forward(x, t)
        }
        "nll_loss" => {
            let mut l = NLLLoss::new().with_reduction(reduction(red));
            if let Some(w) = weight {
                l = l.with_weight(w);
            }
            if let Some(i) = o.get("ignore_index").and_then(Value::as_i64) {
                l = l.with_ignore_index(i);
            }
            l.forward(x, t)
        }
        "mse_loss" => MSELoss::new().with_reduction(reduction(red)).forward(x, t),
        "l1_loss" => L1Loss::new().with_reduction(reduction(red)).forward(x, t),
        "smooth_l1_loss" => SmoothL1Loss::new()
            .with_reduction(reduction(red))
            .with_beta(f64_opt("beta").unwrap())
            .forward(x, t),
        "huber_loss" => HuberLoss::new()
            .with_reduction(reduction(red))
            .with_delta(f64_opt("delta").unwrap())
            .forward(x, t),
        "binary_cross_entropy" => {
            let mut l = BCELoss::new().with_reduction(reduction(red));
            if let Some(w) = weight {
                l = l.with_weight(w);
            }
            l.forward(x, t)
        }
        "binary_cross_entropy_with_logits" => {
            let mut l = BCEWithLogitsLoss::new().with_reduction(reduction(red));
            if let Some(w) = weight {
                l = l.with_weight(w);
            }
            if let Some(pw) = o.get("pos_weight") {
                l = l.with_pos_weight(tensor_of(pw));
            }
            l.forward(x, t)
        }
        "kl_div" => {
            let r = match red {
                "batchmean" => KlDivReduction::BatchMean,
                other => reduction(other).into(),
            };
            let log_target = o.get("log_target").and_then(Value::as_bool) == Some(true);
            KLDivLoss::new()
                .with_reduction(r)
                .with_log_target(log_target)
                .forward(x, t)
        }
        other => panic!("unknown loss {other}"),
    }
}

/// Largest absolute and relative error of `got` against `want`, panicking past the tolerance.
/// Reference NaNs (PyTorch's `0/0` xlogy gradient for a KL target of 0) are skipped: Kiln's
/// gradient there is finite.
fn compare(what: &str, got: &Tensor, want: &Value) -> (f64, f64) {
    let want_t = tensor_of(want);
    assert_eq!(got.dims(), want_t.dims(), "{what}: shape");
    let (g, w) = (got.to_vec::<f64>(), want_t.to_vec::<f64>());
    let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
    for (i, (&a, &b)) in g.iter().zip(&w).enumerate() {
        if b.is_nan() {
            continue;
        }
        let err = (a - b).abs();
        assert!(
            err <= ATOL + RTOL * b.abs(),
            "{what}[{i}]: kiln {a} vs torch {b} (error {err:e})"
        );
        worst_abs = worst_abs.max(err);
        worst_rel = worst_rel.max(err / b.abs().max(1e-12));
    }
    (worst_abs, worst_rel)
}

#[test]
fn losses_match_pytorch() {
    let fixture: Value =
        serde_json::from_str(include_str!("fixtures/losses.json")).expect("valid fixture");
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 80, "fixture has {} cases", cases.len());
    let (mut worst_abs, mut worst_rel) = (0.0f64, 0.0f64);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let x = Var::parameter(tensor_of(&case["input"]));
        let tv = tensor_of(&case["target"]);
        let t = Var::new(tv.clone(), tv.dtype().is_float());
        let out = run(case, &x, &t);
        let mut errs = vec![compare(
            &format!("{name} output"),
            &out.value(),
            &case["output"],
        )];
        out.sum().backward();
        let gx = x.grad().expect("input gradient");
        errs.push(compare(
            &format!("{name} input grad"),
            &gx,
            &case["input_grad"],
        ));
        if !case["target_grad"].is_null() {
            let gt = t.grad().expect("target gradient");
            errs.push(compare(
                &format!("{name} target grad"),
                &gt,
                &case["target_grad"],
            ));
        }
        for (a, r) in errs {
            worst_abs = worst_abs.max(a);
            worst_rel = worst_rel.max(r);
        }
    }
    println!(
        "{} loss cases: worst abs error {worst_abs:e}, worst rel error {worst_rel:e}",
        cases.len()
    );
}

/*  Equivalent python code (deep-learning-fundamentals.md, "Cross-Entropy Loss"):
    loss_function = nn.CrossEntropyLoss()
    loss_function(torch.tensor([[1.5, 1.1]]), torch.tensor([1]))   # tensor(0.9130)
*/
#[test]
fn seed_cross_entropy_slightly_cat() {
    let loss = CrossEntropyLoss::new().forward(
        &Var::constant(tensor![[1.5, 1.1]]),
        &Var::constant(tensor![1i64]),
    );
    // ln(1 + e^0.4) = 0.913015
    assert!((loss.value().item::<f64>() - 0.913015).abs() < 1e-5);
}

/*  Equivalent python code (same seed): torch.tensor([[2.0, 5.0]]) against [1].
    The seed prints tensor(0.0181), but that is ln(1 + e^-4), the loss of logits [[1, 5]]; for
    [[2, 5]] PyTorch gives ln(1 + e^-3) = 0.0486. We test the true values of both.
*/
#[test]
fn seed_cross_entropy_dog() {
    let loss_fn = CrossEntropyLoss::new();
    let target = Var::constant(tensor![1i64]);
    let dog = loss_fn.forward(&Var::constant(tensor![[2.0, 5.0]]), &target);
    assert!((dog.value().item::<f64>() - 0.048587).abs() < 1e-5);
    let seed_printed = loss_fn.forward(&Var::constant(tensor![[1.0, 5.0]]), &target);
    assert!((seed_printed.value().item::<f64>() - 0.018150).abs() < 1e-5);
}

/*  Equivalent python code (same seed, "Mean Squared Error Loss"):
    nn.MSELoss()(torch.tensor([320000.0]), torch.tensor([300000.0])).item()   # 400000000.0
*/
#[test]
fn seed_mse() {
    let loss = MSELoss::new().forward(
        &Var::constant(tensor![320000.0]),
        &Var::constant(tensor![300000.0]),
    );
    assert_eq!(loss.value().item::<f32>(), 4e8);
}

#[test]
fn bce_clamps_logs_at_minus_100() {
    // PyTorch: F.binary_cross_entropy(torch.tensor([0., 1.]), torch.tensor([1., 0.]),
    // reduction='none') == tensor([100., 100.])
    let loss = BCELoss::new().with_reduction(Reduction::None).forward(
        &Var::constant(tensor![0.0, 1.0]),
        &Var::constant(tensor![1.0, 0.0]),
    );
    assert_eq!(loss.value().to_vec::<f32>(), vec![100.0, 100.0]);
}

#[test]
fn bce_with_logits_is_finite_for_huge_logits() {
    // PyTorch: F.binary_cross_entropy_with_logits(torch.tensor([1000., -1000.]),
    // torch.tensor([0., 1.]), reduction='none') == tensor([1000., 1000.])
    let loss = BCEWithLogitsLoss::new()
        .with_reduction(Reduction::None)
        .forward(
            &Var::constant(tensor![1000.0, -1000.0]),
            &Var::constant(tensor![0.0, 1.0]),
        );
    assert_eq!(loss.value().to_vec::<f32>(), vec![1000.0, 1000.0]);
}

#[test]
fn cross_entropy_mean_of_all_ignored_is_nan() {
    // PyTorch: F.cross_entropy(torch.zeros(2, 3), torch.tensor([-100, -100])) is nan (0/0).
    let loss = CrossEntropyLoss::new().forward(
        &Var::constant(Tensor::zeros([2, 3])),
        &Var::constant(tensor![-100i64, -100]),
    );
    assert!(loss.value().item::<f32>().is_nan());
}

#[test]
#[should_panic(expected = "Target 3 is out of bounds")]
fn cross_entropy_rejects_out_of_range_class() {
    CrossEntropyLoss::new().forward(
        &Var::constant(Tensor::zeros([2, 3])),
        &Var::constant(tensor![0i64, 3]),
    );
}

#[test]
fn losses_print_like_pytorch() {
    let printed = [
        CrossEntropyLoss::new()
            .with_label_smoothing(0.1)
            .to_string(),
        NLLLoss::new().to_string(),
        MSELoss::new().to_string(),
        L1Loss::new().to_string(),
        SmoothL1Loss::new().with_beta(0.5).to_string(),
        HuberLoss::new().to_string(),
        BCELoss::new().to_string(),
        BCEWithLogitsLoss::new().to_string(),
        KLDivLoss::new().to_string(),
    ];
    assert_eq!(
        printed,
        [
            "CrossEntropyLoss()",
            "NLLLoss()",
            "MSELoss()",
            "L1Loss()",
            "SmoothL1Loss()",
            "HuberLoss()",
            "BCELoss()",
            "BCEWithLogitsLoss()",
            "KLDivLoss()",
        ]
    );
}

#[test]
fn defaults_are_pytorchs() {
    let ce = CrossEntropyLoss::new();
    assert_eq!(ce.options.ignore_index, -100);
    assert_eq!(ce.options.reduction, Reduction::Mean);
    assert_eq!(ce.options.label_smoothing, 0.0);
    assert!(ce.options.weight.is_none());
    assert_eq!(SmoothL1Loss::new().beta, 1.0);
    assert_eq!(HuberLoss::new().delta, 1.0);
    assert_eq!(KLDivLoss::new().reduction, KlDivReduction::Mean);
    assert!(!KLDivLoss::new().log_target);
}

/*  Equivalent python code (PyTorch 2.15): when every target is ignored, the mean is 0/0 but
    the ignored entries get no gradient at all, with or without weights or label smoothing:
    for ls in (0.0, 0.1):
        for w in (None, torch.tensor([1., 2., 3.])):
            x = torch.randn(4, 3, requires_grad=True)
            loss = F.cross_entropy(x, torch.full((4,), -100), weight=w, label_smoothing=ls)
            loss.backward()   # loss: nan, x.grad: all zeros
    x = torch.randn(2, 3, 5, requires_grad=True)
    F.cross_entropy(x, torch.full((2, 5), 7), ignore_index=7).backward()   # x.grad: zeros
    F.nll_loss(x.log_softmax(1), torch.full((4,), 1), ignore_index=1)      # same
*/
#[test]
fn cross_entropy_mean_of_all_ignored_has_zero_gradients() {
    let logits = tensor![
        [0.3, -1.2, 2.0],
        [1.0, 0.5, -0.5],
        [-2.0, 0.1, 0.7],
        [0.0, 0.0, 4.0]
    ];
    for smoothing in [0.0, 0.1] {
        for weight in [None, Some(tensor![1.0, 2.0, 3.0])] {
            let x = Var::parameter(logits.clone());
            let mut loss_fn = CrossEntropyLoss::new().with_label_smoothing(smoothing);
            if let Some(w) = &weight {
                loss_fn = loss_fn.with_weight(w.clone());
            }
            let loss = loss_fn.forward(&x, &Var::constant(tensor![-100i64, -100, -100, -100]));
            assert!(loss.value().item::<f32>().is_nan(), "ls={smoothing}");
            loss.backward();
            let grad = x.grad().expect("gradient").to_vec::<f32>();
            assert_eq!(grad, vec![0.0; 12], "ls={smoothing} weight={weight:?}");
        }
    }
    let x = Var::parameter(Tensor::full([2, 3, 5], 0.25));
    let loss = CrossEntropyLoss::new().with_ignore_index(7).forward(
        &x,
        &Var::constant(Tensor::full([2, 5], 7.0).to_dtype(kiln_tensor::DType::I64)),
    );
    assert!(loss.value().item::<f32>().is_nan());
    loss.backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0; 30]);
    let x = Var::parameter(logits);
    let loss = NLLLoss::new()
        .with_ignore_index(1)
        .forward(&x.log_softmax(1), &Var::constant(tensor![1i64, 1, 1, 1]));
    assert!(loss.value().item::<f32>().is_nan());
    loss.backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![0.0; 12]);
}

/*  Equivalent python code (PyTorch 2.15): a zero total weight with entries that are not
    ignored keeps PyTorch's NaN gradient on those rows (−w/Σw = 0/0), and ignored rows get 0:
    x = torch.randn(3, 3, requires_grad=True)
    F.cross_entropy(x, torch.tensor([0, -100, 1]), weight=torch.tensor([0., 0., 1.])).backward()
    # x.grad rows 0 and 2: nan; row 1: zeros
*/
#[test]
fn cross_entropy_zero_total_weight_keeps_nan_gradients_on_counted_rows() {
    let x = Var::parameter(tensor![
        [0.3, -1.2, 2.0],
        [1.0, 0.5, -0.5],
        [-2.0, 0.1, 0.7]
    ]);
    let loss = CrossEntropyLoss::new()
        .with_weight(tensor![0.0, 0.0, 1.0])
        .forward(&x, &Var::constant(tensor![0i64, -100, 1]));
    assert!(loss.value().item::<f32>().is_nan());
    loss.backward();
    let grad = x.grad().unwrap().to_vec::<f32>();
    assert!(grad[0..3].iter().all(|g| g.is_nan()), "{grad:?}");
    assert_eq!(&grad[3..6], &[0.0, 0.0, 0.0]);
    assert!(grad[6..9].iter().all(|g| g.is_nan()), "{grad:?}");
}
