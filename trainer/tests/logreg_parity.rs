//! `classic::LogisticRegression` against scikit-learn's `LogisticRegression` (lbfgs) on six
//! small problems (`tests/fixtures/gen_logreg.py`, scikit-learn version in the fixture):
//! binary and multinomial, standardized and raw-scale features, odd label values, no
//! intercept, no penalty.
//!
//! Tolerances:
//! - converged tightly (`tol=1e-10`, against scikit-learn's `tol=1e-12`): coefficients and
//!   intercepts within `1e-6·(1 + |ref|)`, probabilities within `1e-7` (measured: 3e-7 on the
//!   intercept of the raw-scale case, 1e-10 or less elsewhere);
//! - with the defaults (`tol=1e-4, max_iter=100`) on both sides: the solver takes SciPy's
//!   L-BFGS-B steps (same first step `1/‖g‖`, same memory, same stopping rules), so it stops
//!   at the same iterate as scikit-learn, up to line-search differences: coefficients
//!   within `1e-4·(1 + |ref|)`, f32 probabilities within `1e-5` (measured: 2e-6 and 2e-7 on
//!   the raw-scale case, 1e-15 and 3e-8 elsewhere), the same iteration count within 2, and
//!   the same predicted class wherever scikit-learn's top probability leads by over `1e-4`.

use kiln_tensor::{DType, Tensor};
use kiln_trainer::classic::{LogisticRegression, LogisticRegressionError};
use serde_json::Value;

fn fixture() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/logreg.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// The fixture's float32 data (stored as shortest decimals) as an f32 tensor.
fn matrix(v: &Value, d: usize) -> Tensor {
    let data: Vec<f32> = floats(v).into_iter().map(|x| x as f32).collect();
    let n = data.len() / d;
    Tensor::from_vec(data, [n, d])
}

fn model(case: &Value) -> LogisticRegression {
    let p = &case["params"];
    let mut m = LogisticRegression::new();
    match &p["C"] {
        Value::Null => {}
        Value::String(s) if s == "inf" => m = m.with_c(f64::INFINITY),
        c => m = m.with_c(c.as_f64().unwrap()),
    }
    if let Some(b) = p["fit_intercept"].as_bool() {
        m = m.with_fit_intercept(b);
    }
    m
}

fn assert_close(what: &str, got: &[f64], want: &[f64], atol: f64, rtol: f64) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: lengths");
    let mut worst = 0f64;
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs();
        assert!(
            err <= atol + rtol * w.abs(),
            "{what}[{i}]: kiln {g} vs scikit-learn {w} (|diff| {err:e})"
        );
        worst = worst.max(err);
    }
    worst
}

#[test]
fn tight_fits_reach_scikit_learns_optimum() {
    let f = fixture();
    eprintln!("scikit-learn {}", f["sklearn_version"]);
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let d = case["n_features"].as_u64().unwrap() as usize;
        let x = matrix(&case["x"], d);
        let x_test = matrix(&case["x_test"], d);
        let mut m = model(case).with_tol(1e-10).with_max_iter(10_000);
        m.fit(&x, &ints(&case["y"])).unwrap();
        assert_eq!(m.classes(), ints(&case["classes"]), "{name}");
        let c = assert_close(
            &format!("{name} coef"),
            &m.coef().to_vec::<f64>(),
            &floats(&case["tight_coef"]),
            1e-6,
            1e-6,
        );
        let b = assert_close(
            &format!("{name} intercept"),
            &m.intercept().to_vec::<f64>(),
            &floats(&case["tight_intercept"]),
            1e-6,
            1e-6,
        );
        let p = assert_close(
            &format!("{name} predict_proba"),
            &m.predict_proba(&x_test.to_dtype(DType::F64))
                .to_vec::<f64>(),
            &floats(&case["tight_predict_proba"]),
            1e-7,
            0.0,
        );
        eprintln!(
            "{name}: {} iterations (scikit-learn {}), worst |diff| coef {c:.1e}, intercept {b:.1e}, proba {p:.1e}",
            m.n_iter(),
            case["tight_n_iter"]
        );
    }
}

#[test]
fn default_fits_match_scikit_learns_defaults() {
    let f = fixture();
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let d = case["n_features"].as_u64().unwrap() as usize;
        let x = matrix(&case["x"], d);
        let x_test = matrix(&case["x_test"], d);
        let mut m = model(case);
        m.fit(&x, &ints(&case["y"])).unwrap();
        assert!(m.converged(), "{name}: {} iterations", m.n_iter());
        let sk_iter = case["n_iter"].as_u64().unwrap() as usize;
        assert!(
            m.n_iter().abs_diff(sk_iter) <= 2,
            "{name}: {} vs {sk_iter} iterations",
            m.n_iter()
        );
        let c = assert_close(
            &format!("{name} coef"),
            &m.coef().to_vec::<f64>(),
            &floats(&case["coef"]),
            1e-4,
            1e-4,
        );
        assert_close(
            &format!("{name} intercept"),
            &m.intercept().to_vec::<f64>(),
            &floats(&case["intercept"]),
            1e-4,
            1e-4,
        );
        let proba = m.predict_proba(&x_test);
        assert_eq!(proba.dtype(), DType::F32, "f32 in, f32 out");
        let want = floats(&case["predict_proba"]);
        let p = assert_close(
            &format!("{name} predict_proba"),
            &proba.to_vec::<f64>(),
            &want,
            1e-5,
            0.0,
        );
        assert_close(
            &format!("{name} decision_function"),
            &m.decision_function(&x_test).to_vec::<f64>(),
            &floats(&case["decision_function"]),
            1e-4,
            1e-4,
        );
        let k = m.classes().len();
        let predicted = m.predict(&x_test);
        for (i, (row, (got, want_class))) in want
            .chunks_exact(k)
            .zip(predicted.iter().zip(ints(&case["predict"])))
            .enumerate()
        {
            let mut sorted = row.to_vec();
            sorted.sort_by(|a, b| b.total_cmp(a));
            if sorted[0] - sorted[1] > 1e-4 {
                assert_eq!(*got, want_class, "{name}: predict row {i}");
            }
        }
        eprintln!(
            "{name}: {} iterations (scikit-learn {}), worst |diff| coef {c:.1e}, proba {p:.1e}",
            m.n_iter(),
            case["n_iter"]
        );
    }
}

#[test]
fn shapes_of_the_outputs() {
    let x = Tensor::from_vec(vec![0.0f32, 1.0, 1.0, 0.0, 2.0, 2.0, 3.0, 1.0], [4, 2]);
    let mut binary = LogisticRegression::new();
    binary.fit(&x, &[7, 7, 9, 9]).unwrap();
    assert_eq!(binary.coef().dims(), &[1, 2]);
    assert_eq!(binary.intercept().dims(), &[1]);
    assert_eq!(binary.decision_function(&x).dims(), &[4]);
    assert_eq!(binary.predict_proba(&x).dims(), &[4, 2]);
    assert_eq!(binary.n_features_in(), 2);
    for label in binary.predict(&x) {
        assert!(label == 7 || label == 9);
    }

    let mut multi = LogisticRegression::new();
    multi.fit(&x, &[0, 1, 2, 2]).unwrap();
    assert_eq!(multi.coef().dims(), &[3, 2]);
    assert_eq!(multi.decision_function(&x).dims(), &[4, 3]);
    let p = multi.predict_proba(&x.to_dtype(DType::F64));
    assert_eq!(p.dtype(), DType::F64);
    for row in p.to_vec::<f64>().chunks(3) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    // Unpenalised multinomial intercepts are only defined up to a constant; starting from
    // zero, L-BFGS keeps them summing to zero, as scikit-learn's do.
    assert!(multi.intercept().to_vec::<f64>().iter().sum::<f64>().abs() < 1e-9);
}

#[test]
fn bad_data_is_a_typed_error() {
    let mut m = LogisticRegression::new();
    let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], [2, 2]);
    assert_eq!(
        m.fit(&x, &[0]).unwrap_err(),
        LogisticRegressionError::LengthMismatch { rows: 2, labels: 1 }
    );
    assert_eq!(
        m.fit(&x, &[4, 4]).unwrap_err(),
        LogisticRegressionError::OneClass { class: 4 }
    );
    let flat = Tensor::from_vec(vec![0.0f32, 1.0], [2]);
    assert!(matches!(
        m.fit(&flat, &[0, 1]),
        Err(LogisticRegressionError::NotAMatrix { .. })
    ));
    let nan = Tensor::from_vec(vec![0.0f32, 1.0, f32::NAN, 3.0], [2, 2]);
    let err = m.fit(&nan, &[0, 1]).unwrap_err();
    assert_eq!(err, LogisticRegressionError::NonFinite { row: 1, col: 0 });
    assert!(err.to_string().contains("x[1, 0]"), "{err}");
    let empty = Tensor::from_vec(Vec::<f32>::new(), [0, 3]);
    assert!(matches!(
        m.fit(&empty, &[]),
        Err(LogisticRegressionError::Empty { .. })
    ));
    assert!(!m.is_fitted());
}

#[test]
#[should_panic(expected = "LogisticRegression.predict_proba: call fit first")]
fn predicting_before_fit_panics() {
    let x = Tensor::from_vec(vec![0.0f32, 1.0], [1, 2]);
    LogisticRegression::new().predict_proba(&x);
}

#[test]
#[should_panic(expected = "expected x of shape [n, 2], got [1, 3]")]
fn predicting_with_the_wrong_width_panics() {
    let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], [2, 2]);
    let mut m = LogisticRegression::new();
    m.fit(&x, &[0, 1]).unwrap();
    m.predict(&Tensor::from_vec(vec![0.0f32, 1.0, 2.0], [1, 3]));
}
