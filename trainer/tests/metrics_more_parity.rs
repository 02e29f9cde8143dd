//! kiln-trainer's newer metrics against scikit-learn 1.9.1 (`fixtures/metrics_more.json`, made
//! by `fixtures/gen_metrics_more.py`): `average='binary'` with `pos_label` and the other
//! averages of precision / recall / F1, `roc_curve`, `average_precision_score`, multi-class
//! `roc_auc_score` (ovr and ovo), `classification_report(output_dict=True)`, `log_loss`,
//! `matthews_corrcoef` and `top_k_accuracy_score`, each with the text of every
//! `UndefinedMetricWarning` (and related `UserWarning`) scikit-learn emitted; then the
//! `MetricSet` composition. Their typed errors for bad input are in `metrics_errors.rs`.

mod common;

use common::zero_division_named;

use kiln_tensor::Tensor;
use kiln_trainer::metrics::{
    AucAverage, LogLossOptions, Metric, MetricError, MetricSet, MetricWarnings, MultiClass,
    MulticlassRocAucOptions, PrfOptions, ReportEntry, ReportOptions, RocCurveOptions, ScoreAverage,
    TopKOptions, ZeroDivision, accuracy_score, average_precision_score, classification_report_dict,
    f1_score, log_loss, matthews_corrcoef, precision_recall_fscore, precision_score, recall_score,
    roc_auc_score, roc_auc_score_multiclass, roc_curve, top_k_accuracy_score,
};
use kiln_trainer::training::trainer::EvalPrediction;
use serde_json::Value;

const TOL: f64 = 1e-12;

fn root() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/metrics_more.json"
    );
    let text = std::fs::read_to_string(path).expect("fixture exists");
    let root: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(root["sklearn"], "1.9.1");
    root
}

fn cases(section: &str) -> Vec<Value> {
    let cases = root()[section].as_array().expect("section").clone();
    assert!(!cases.is_empty(), "{section} has cases");
    cases
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_i64().expect("integer"))
        .collect()
}

/// A number with JSON `null` for NaN and `"inf"` / `"-inf"` for infinities.
fn float(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        other => other.as_f64().expect("number"),
    }
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(float).collect()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().expect("rows").iter().map(floats).collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|s| s.as_str().expect("string").to_string())
        .collect()
}

fn same(actual: f64, expected: f64, what: &str) {
    let ok = (actual.is_nan() && expected.is_nan())
        || actual == expected
        || (actual - expected).abs() <= TOL;
    assert!(ok, "{what}: {actual} vs scikit-learn {expected}");
}

fn same_all(actual: &[f64], expected: &[f64], what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        same(a, e, &format!("{what}[{i}]"));
    }
}

fn messages(warnings: &MetricWarnings) -> Vec<String> {
    warnings.iter().map(ToString::to_string).collect()
}

fn zero_division(v: &Value) -> ZeroDivision {
    zero_division_named(v.as_str().expect("zero_division"))
}

fn opt_ints(v: &Value) -> Option<Vec<i64>> {
    (!v.is_null()).then(|| ints(v))
}

#[test]
fn binary_and_averaged_scores_match_with_their_warnings() {
    for case in cases("binary") {
        let name = case["name"].as_str().unwrap();
        let (t, p) = (ints(&case["y_true"]), ints(&case["y_pred"]));
        let pos_label = case["pos_label"].as_i64().unwrap();
        let options = PrfOptions {
            zero_division: zero_division(&case["zero_division"]),
            ..PrfOptions::default()
        };
        for (key, average) in [
            ("binary", ScoreAverage::Binary { pos_label }),
            ("micro", ScoreAverage::Micro),
            ("macro", ScoreAverage::Macro),
            ("weighted", ScoreAverage::Weighted),
        ] {
            let want = &case["averages"][key];
            let what = format!("{name} {key}");
            let mut w = MetricWarnings::new();
            let s = precision_recall_fscore(&t, &p, average, &options, &mut w).unwrap();
            same_all(
                &[s.precision, s.recall, s.fscore],
                &floats(&want["prf"]),
                &what,
            );
            assert_eq!(messages(&w), strings(&want["warnings_prf"]), "{what}");
            type Score = fn(
                &[i64],
                &[i64],
                ScoreAverage,
                &PrfOptions,
                &mut MetricWarnings,
            ) -> Result<f64, MetricError>;
            for (field, f) in [
                ("precision", precision_score as Score),
                ("recall", recall_score as Score),
                ("f1", f1_score as Score),
            ] {
                let mut w = MetricWarnings::new();
                let v = f(&t, &p, average, &options, &mut w).unwrap();
                same(v, float(&want[field]), &format!("{what} {field}"));
                assert_eq!(
                    messages(&w),
                    strings(&want[format!("warnings_{field}").as_str()]),
                    "{what} {field}"
                );
            }
        }
    }
}

#[test]
fn roc_curve_and_average_precision_match() {
    for case in cases("curves") {
        let name = case["name"].as_str().unwrap();
        let t = ints(&case["y_true"]);
        let s = floats(&case["y_score"]);
        let pos_label = case["pos_label"].as_i64();
        let options = RocCurveOptions {
            pos_label,
            drop_intermediate: case["drop_intermediate"].as_bool().unwrap(),
        };
        let mut w = MetricWarnings::new();
        let curve = roc_curve(&t, &s, &options, &mut w).unwrap();
        same_all(&curve.fpr, &floats(&case["fpr"]), &format!("{name} fpr"));
        same_all(&curve.tpr, &floats(&case["tpr"]), &format!("{name} tpr"));
        same_all(
            &curve.thresholds,
            &floats(&case["thresholds"]),
            &format!("{name} thresholds"),
        );
        assert_eq!(curve.thresholds[0], f64::INFINITY, "{name}");
        assert_eq!(messages(&w), strings(&case["roc_warnings"]), "{name}");
        let mut w = MetricWarnings::new();
        let ap = average_precision_score(&t, &s, pos_label.unwrap_or(1), &mut w).unwrap();
        same(ap, float(&case["average_precision"]), &format!("{name} AP"));
        assert_eq!(messages(&w), strings(&case["ap_warnings"]), "{name} AP");
    }
}

#[test]
fn multiclass_roc_auc_matches() {
    for case in cases("multiclass_auc") {
        let name = case["name"].as_str().unwrap();
        let t = ints(&case["y_true"]);
        let s = matrix(&case["y_score"]);
        for (key, multi_class, average) in [
            ("ovr_macro", MultiClass::Ovr, AucAverage::Macro),
            ("ovr_weighted", MultiClass::Ovr, AucAverage::Weighted),
            ("ovr_micro", MultiClass::Ovr, AucAverage::Micro),
            ("ovo_macro", MultiClass::Ovo, AucAverage::Macro),
            ("ovo_weighted", MultiClass::Ovo, AucAverage::Weighted),
        ] {
            let options = MulticlassRocAucOptions {
                multi_class,
                average,
                labels: opt_ints(&case["labels"]),
            };
            let mut w = MetricWarnings::new();
            let auc = roc_auc_score_multiclass(&t, &s, &options, &mut w).unwrap();
            same(auc, float(&case["auc"][key]), &format!("{name} {key}"));
            assert_eq!(
                messages(&w),
                strings(&case["warnings"][key]),
                "{name} {key}"
            );
        }
    }
}

#[test]
fn classification_report_dict_matches() {
    for case in cases("reports") {
        let name = case["name"].as_str().unwrap();
        let (t, p) = (ints(&case["y_true"]), ints(&case["y_pred"]));
        let mut options =
            ReportOptions::default().with_zero_division(zero_division(&case["zero_division"]));
        if let Some(labels) = opt_ints(&case["labels"]) {
            options = options.with_labels(labels);
        }
        if !case["target_names"].is_null() {
            options = options.with_target_names(strings(&case["target_names"]));
        }
        let mut w = MetricWarnings::new();
        let report = classification_report_dict(&t, &p, &options, &mut w).unwrap();
        let map = report.to_map();
        let mut want_keys = strings(&case["keys"]);
        want_keys.sort();
        assert_eq!(map.keys().cloned().collect::<Vec<_>>(), want_keys, "{name}");
        // Class rows come in report order, like scikit-learn's dict.
        let class_names: Vec<String> = report.classes.iter().map(|(n, _)| n.clone()).collect();
        let all_keys = strings(&case["keys"]);
        assert_eq!(class_names, all_keys[..class_names.len()], "{name}");
        for (key, entry) in &map {
            let want = &case["report"][key.as_str()];
            match entry {
                ReportEntry::Value(v) => same(*v, float(want), &format!("{name} {key}")),
                ReportEntry::Row(row) => {
                    for (field, v) in row.to_map() {
                        same(
                            v,
                            float(&want[field.as_str()]),
                            &format!("{name} {key} {field}"),
                        );
                    }
                }
            }
        }
        assert_eq!(messages(&w), strings(&case["warnings"]), "{name}");
    }
}

#[test]
fn log_loss_matches() {
    for case in cases("log_loss") {
        let name = case["name"].as_str().unwrap();
        let options = LogLossOptions {
            normalize: case["normalize"].as_bool().unwrap(),
            labels: opt_ints(&case["labels"]),
            ..LogLossOptions::default()
        };
        let mut w = MetricWarnings::new();
        let v = log_loss(
            &ints(&case["y_true"]),
            &matrix(&case["y_proba"]),
            &options,
            &mut w,
        )
        .unwrap();
        same(v, float(&case["value"]), name);
        assert_eq!(messages(&w), strings(&case["warnings"]), "{name}");
    }
}

#[test]
fn matthews_corrcoef_matches() {
    for case in cases("matthews") {
        let name = case["name"].as_str().unwrap();
        let v = matthews_corrcoef(&ints(&case["y_true"]), &ints(&case["y_pred"])).unwrap();
        same(v, float(&case["value"]), name);
    }
}

#[test]
fn top_k_accuracy_matches() {
    for case in cases("top_k") {
        let name = case["name"].as_str().unwrap();
        let t = ints(&case["y_true"]);
        let s = matrix(&case["y_score"]);
        for result in case["results"].as_array().unwrap() {
            let options = TopKOptions {
                k: result["k"].as_u64().unwrap() as usize,
                normalize: result["normalize"].as_bool().unwrap(),
                labels: opt_ints(&case["labels"]),
            };
            let what = format!("{name} k={} normalize={}", options.k, options.normalize);
            let mut w = MetricWarnings::new();
            let v = top_k_accuracy_score(&t, &s, &options, &mut w).unwrap();
            same(v, float(&result["value"]), &what);
            assert_eq!(messages(&w), strings(&result["warnings"]), "{what}");
        }
    }
}

#[test]
fn metric_set_composes_from_logits_and_eval_predictions() {
    let logits = vec![
        vec![2.0, 0.5, -1.0],
        vec![0.1, 1.5, 0.2],
        vec![0.3, 0.2, 2.2],
        vec![1.0, 1.2, 0.9],
        vec![-0.5, 0.1, 0.0],
        vec![0.0, -2.0, 1.0],
    ];
    let labels = [0, 1, 2, 0, 1, 2];
    let set = MetricSet::new()
        .with(Metric::Accuracy)
        .with(Metric::F1(ScoreAverage::Macro))
        .with(Metric::MatthewsCorrcoef)
        .with(Metric::RocAuc(MulticlassRocAucOptions::default()))
        .with(Metric::LogLoss)
        .with(Metric::TopKAccuracy(2));
    let mut w = MetricWarnings::new();
    let got = set.compute_from_logits(&logits, &labels, &mut w).unwrap();
    let keys: Vec<&str> = got.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "accuracy",
            "f1",
            "log_loss",
            "matthews_correlation",
            "roc_auc",
            "top_k_accuracy"
        ]
    );
    // The same numbers from the individual functions on softmax / argmax.
    let probs: Vec<Vec<f64>> = logits
        .iter()
        .map(|r| {
            let m = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = r.iter().map(|x| (x - m).exp()).collect();
            let s: f64 = e.iter().sum();
            e.iter().map(|v| v / s).collect()
        })
        .collect();
    let preds = [0, 1, 2, 1, 1, 2];
    same(
        got["accuracy"],
        accuracy_score(&labels, &preds).unwrap(),
        "acc",
    );
    same(got["accuracy"], 5.0 / 6.0, "acc value");
    let mut w2 = MetricWarnings::new();
    same(
        got["f1"],
        f1_score(
            &labels,
            &preds,
            ScoreAverage::Macro,
            &PrfOptions::default(),
            &mut w2,
        )
        .unwrap(),
        "f1",
    );
    same(
        got["matthews_correlation"],
        matthews_corrcoef(&labels, &preds).unwrap(),
        "mcc",
    );
    let ll = log_loss(&labels, &probs, &LogLossOptions::default(), &mut w2).unwrap();
    assert!(
        (got["log_loss"] - ll).abs() < 1e-12,
        "{} vs {ll}",
        got["log_loss"]
    );
    let auc = roc_auc_score_multiclass(
        &labels,
        &probs,
        &MulticlassRocAucOptions::default(),
        &mut w2,
    )
    .unwrap();
    same(got["roc_auc"], auc, "auc");

    // Through an EvalPrediction, as a Trainer's compute_metrics gets it.
    let flat: Vec<f32> = logits.iter().flatten().map(|&x| x as f32).collect();
    let prediction = EvalPrediction {
        predictions: Tensor::from_vec(flat, [6, 3]),
        label_ids: Some(Tensor::from_vec(labels.to_vec(), [6])),
    };
    let from_eval = set.compute(&prediction, &mut w).unwrap();
    same(from_eval["accuracy"], got["accuracy"], "eval acc");
    assert!((from_eval["log_loss"] - got["log_loss"]).abs() < 1e-6);
    let compute_metrics = set.clone().into_compute_metrics();
    assert_eq!(
        compute_metrics(&prediction)["accuracy"],
        from_eval["accuracy"]
    );
    let no_labels = EvalPrediction {
        predictions: prediction.predictions.clone(),
        label_ids: None,
    };
    assert_eq!(
        set.compute(&no_labels, &mut w),
        Err(MetricError::MissingLabels)
    );
    assert!(compute_metrics(&no_labels)["accuracy"].is_nan());

    // Binary logits (two columns): ROC AUC and average precision of class 1's probability.
    let binary = [[0.2, 1.0], [1.0, -0.3], [0.0, 0.4], [0.9, 0.8]];
    let set = MetricSet::new()
        .with(Metric::RocAuc(MulticlassRocAucOptions::default()))
        .with(Metric::AveragePrecision)
        .with_named(
            "precision_binary",
            Metric::Precision(ScoreAverage::default()),
        );
    let got = set
        .compute_from_logits(&binary, &[1, 0, 0, 1], &mut w)
        .unwrap();
    let positive: Vec<f64> = binary
        .iter()
        .map(|r| 1.0 / (1.0 + (r[0] - r[1]).exp()))
        .collect();
    same(
        got["roc_auc"],
        roc_auc_score(&[1, 0, 0, 1], &positive).unwrap(),
        "bin auc",
    );
    assert_eq!(got["roc_auc"], 0.75);
    same(got["precision_binary"], 0.5, "bin precision");
}
