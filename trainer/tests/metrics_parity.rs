//! kiln-trainer's metrics against scikit-learn 1.9.1 (`fixtures/metrics.json`, made by
//! `fixtures/gen_metrics.py`): accuracy, confusion matrices, per-class and averaged
//! precision / recall / F1 / support (all `zero_division` modes, a class never predicted, a
//! class never true, a label subset), ROC AUC with tied scores, and the classification report
//! text character for character.

mod common;

use common::zero_division_named;

use kiln_trainer::metrics::{
    Average, PrfOptions, ReportOptions, ZeroDivision, accuracy_score, classification_report,
    confusion_matrix, precision_recall_fscore_average, precision_recall_fscore_support,
    roc_auc_score,
};
use serde_json::Value;

const TOL: f64 = 1e-12;

fn cases() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/metrics.json");
    let text = std::fs::read_to_string(path).expect("fixture exists");
    let root: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(root["sklearn"], "1.9.1");
    root["cases"].as_array().expect("cases").clone()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("integer"))
        .collect()
}

/// Floats with JSON `null` standing for NaN.
fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn same(actual: f64, expected: f64, what: &str) {
    let ok = (actual.is_nan() && expected.is_nan()) || (actual - expected).abs() <= TOL;
    assert!(ok, "{what}: {actual} vs scikit-learn {expected}");
}

fn zero_division(case: &Value) -> ZeroDivision {
    zero_division_named(case["zero_division"].as_str().expect("zero_division"))
}

fn labels(case: &Value) -> Option<Vec<i64>> {
    (!case["labels"].is_null()).then(|| ints(&case["labels"]))
}

#[test]
fn accuracy_and_confusion_matrix_match() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let (t, p) = (ints(&case["y_true"]), ints(&case["y_pred"]));
        same(
            accuracy_score(&t, &p).unwrap(),
            case["accuracy"].as_f64().unwrap(),
            name,
        );
        let cm = confusion_matrix(&t, &p, labels(&case).as_deref()).unwrap();
        assert_eq!(cm.labels, ints(&case["confusion_labels"]), "{name}");
        let expected: Vec<Vec<usize>> = case["confusion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| ints(row).iter().map(|&c| c as usize).collect())
            .collect();
        assert_eq!(cm.counts, expected, "{name}");
    }
}

#[test]
fn precision_recall_fscore_support_match() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let (t, p) = (ints(&case["y_true"]), ints(&case["y_pred"]));
        let options = PrfOptions {
            labels: labels(&case),
            zero_division: zero_division(&case),
            ..PrfOptions::default()
        };
        let per_class = precision_recall_fscore_support(&t, &p, &options).unwrap();
        for (field, actual) in [
            ("precision", &per_class.precision),
            ("recall", &per_class.recall),
            ("fscore", &per_class.fscore),
        ] {
            let expected = floats(&case[field]);
            assert_eq!(actual.len(), expected.len(), "{name} {field}");
            for (i, (&a, &e)) in actual.iter().zip(&expected).enumerate() {
                same(a, e, &format!("{name} {field}[{i}]"));
            }
        }
        let support: Vec<i64> = per_class.support.iter().map(|&s| s as i64).collect();
        assert_eq!(support, ints(&case["support"]), "{name}");
        for (key, average) in [
            ("micro", Average::Micro),
            ("macro", Average::Macro),
            ("weighted", Average::Weighted),
        ] {
            let avg = precision_recall_fscore_average(&t, &p, average, &options).unwrap();
            let expected = floats(&case["averages"][key]);
            same(
                avg.precision,
                expected[0],
                &format!("{name} {key} precision"),
            );
            same(avg.recall, expected[1], &format!("{name} {key} recall"));
            same(avg.fscore, expected[2], &format!("{name} {key} f1"));
        }
    }
}

#[test]
fn roc_auc_matches_with_ties() {
    let mut checked = 0;
    for case in cases() {
        if case["roc_auc"].is_null() {
            continue;
        }
        let name = case["name"].as_str().unwrap();
        let auc = roc_auc_score(&ints(&case["y_true"]), &floats(&case["y_score"])).unwrap();
        same(auc, case["roc_auc"].as_f64().unwrap(), name);
        checked += 1;
    }
    assert_eq!(checked, 4);
}

#[test]
fn classification_report_text_is_identical() {
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let mut options = ReportOptions::default()
            .with_digits(case["digits"].as_u64().unwrap() as usize)
            .with_zero_division(zero_division(&case));
        options.labels = labels(&case);
        if let Some(names) = case["target_names"].as_array() {
            options = options.with_target_names(names.iter().map(|n| n.as_str().unwrap()));
        }
        let report =
            classification_report(&ints(&case["y_true"]), &ints(&case["y_pred"]), &options)
                .unwrap();
        assert_eq!(report, case["report"].as_str().unwrap(), "{name}");
    }
}
