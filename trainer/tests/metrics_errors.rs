//! Metric inputs scikit-learn rejects give typed errors (the first metrics, then the binary /
//! multi-class scores, curves, log-loss and top-k); ROC AUC properties on random data.

use kiln_trainer::metrics::{
    AucAverage, LogLossOptions, MetricError, MetricWarnings, MultiClass, MulticlassRocAucOptions,
    PrfOptions, ReportOptions, RocCurveOptions, ScoreAverage, TopKOptions, accuracy_score,
    average_precision_score, classification_report, confusion_matrix, f1_score, log_loss,
    matthews_corrcoef, precision_score, recall_score, roc_auc_score, roc_auc_score_multiclass,
    roc_curve, top_k_accuracy_score,
};
use proptest::prelude::*;

#[test]
fn bad_inputs_give_typed_errors() {
    assert_eq!(
        accuracy_score(&[0, 1], &[0]),
        Err(MetricError::LengthMismatch {
            y_true: 2,
            other: 1
        })
    );
    assert_eq!(accuracy_score(&[], &[]), Err(MetricError::Empty));
    assert_eq!(
        roc_auc_score(&[1, 1], &[0.2, 0.3]),
        Err(MetricError::NotBinary { classes: 1 })
    );
    assert_eq!(
        roc_auc_score(&[0, 1, 2], &[0.2, 0.3, 0.1]),
        Err(MetricError::NotBinary { classes: 3 })
    );
    assert_eq!(
        roc_auc_score(&[0, 1], &[0.2, f64::NAN]),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    assert_eq!(
        confusion_matrix(&[0, 1], &[0, 1], Some(&[5])),
        Err(MetricError::NoKnownLabel)
    );
    let options = ReportOptions::default().with_target_names(["only one"]);
    assert_eq!(
        classification_report(&[0, 1], &[0, 1], &options),
        Err(MetricError::TargetNames {
            labels: 2,
            names: 1
        })
    );
    assert_eq!(
        MetricError::NotBinary { classes: 1 }.to_string(),
        "only one class present in y_true; ROC AUC score is not defined in that case"
    );
}

proptest! {
    /// AUC equals the probability that a random positive outscores a random negative, ties
    /// counting half (the Mann–Whitney statistic), and flipping the scores gives 1 − AUC.
    #[test]
    fn roc_auc_is_the_mann_whitney_statistic(
        samples in proptest::collection::vec((0i64..2, 0u8..6), 2..40),
    ) {
        let y: Vec<i64> = samples.iter().map(|s| s.0).collect();
        let score: Vec<f64> = samples.iter().map(|s| s.1 as f64 / 5.0).collect();
        prop_assume!(y.contains(&0) && y.contains(&1));
        let (mut wins, mut pairs) = (0.0, 0.0);
        for (i, &yi) in y.iter().enumerate() {
            for (j, &yj) in y.iter().enumerate() {
                if yi == 1 && yj == 0 {
                    pairs += 1.0;
                    wins += if score[i] > score[j] { 1.0 } else if score[i] == score[j] { 0.5 } else { 0.0 };
                }
            }
        }
        let auc = roc_auc_score(&y, &score).unwrap();
        prop_assert!((auc - wins / pairs).abs() < 1e-12, "{} vs {}", auc, wins / pairs);
        let flipped: Vec<f64> = score.iter().map(|s| -s).collect();
        prop_assert!((roc_auc_score(&y, &flipped).unwrap() - (1.0 - auc)).abs() < 1e-12);
    }
}

#[test]
fn newer_metrics_reject_bad_inputs_with_typed_errors() {
    let mut w = MetricWarnings::new();
    let prf = PrfOptions::default();
    assert_eq!(
        precision_score(
            &[0, 1, 2],
            &[0, 1, 1],
            ScoreAverage::default(),
            &prf,
            &mut w
        ),
        Err(MetricError::BinaryAverageOnMulticlass { classes: 3 })
    );
    assert_eq!(
        recall_score(
            &[0, 1, 1],
            &[0, 1, 1],
            ScoreAverage::Binary { pos_label: 2 },
            &prf,
            &mut w
        ),
        Err(MetricError::InvalidPosLabel {
            pos_label: 2,
            present: vec![0, 1]
        })
    );
    assert_eq!(
        f1_score(&[0, 1], &[0], ScoreAverage::Macro, &prf, &mut w),
        Err(MetricError::LengthMismatch {
            y_true: 2,
            other: 1
        })
    );
    let roc = RocCurveOptions::default();
    assert_eq!(
        roc_curve(&[1, 2], &[0.1, 0.2], &roc, &mut w),
        Err(MetricError::PosLabelRequired {
            classes: vec![1, 2]
        })
    );
    assert_eq!(
        roc_curve(&[0, 1], &[0.1, f64::NAN], &roc, &mut w),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    assert_eq!(
        roc_curve(&[0, 1, 1], &[0.1, 0.2], &roc, &mut w),
        Err(MetricError::LengthMismatch {
            y_true: 3,
            other: 2
        })
    );
    assert_eq!(
        average_precision_score(&[0, 1, 2], &[0.1, 0.2, 0.3], 1, &mut w),
        Err(MetricError::NotBinary { classes: 3 })
    );
    assert_eq!(
        average_precision_score(&[0, 1], &[0.1, f64::INFINITY], 1, &mut w),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    let auc = MulticlassRocAucOptions::default();
    let good = [[0.2, 0.3, 0.5], [0.6, 0.2, 0.2], [0.1, 0.1, 0.8]];
    assert_eq!(
        roc_auc_score_multiclass(
            &[0, 1, 2],
            &[[0.2, 0.3, 0.5], [0.6, 0.2, 0.3], [0.1, 0.1, 0.8]],
            &auc,
            &mut w
        ),
        Err(MetricError::NotProbabilities { row: 1, sum: 1.1 })
    );
    assert_eq!(
        roc_auc_score_multiclass(&[0, 1, 2], &[[0.5, f64::NAN, 0.5]; 3], &auc, &mut w),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    assert_eq!(
        roc_auc_score_multiclass(&[0, 1], &good, &auc, &mut w),
        Err(MetricError::LengthMismatch {
            y_true: 2,
            other: 3
        })
    );
    assert!(roc_auc_score_multiclass(&[0, 1, 3, 2], &[[0.25; 4]; 4], &auc, &mut w).is_ok());
    assert_eq!(
        roc_auc_score_multiclass(&[0, 1, 2, 3], &[[0.2, 0.3, 0.5]; 4], &auc, &mut w),
        Err(MetricError::ClassCount {
            classes: 4,
            columns: 3
        })
    );
    assert_eq!(
        roc_auc_score_multiclass(
            &[0, 1, 2],
            &good,
            &MulticlassRocAucOptions {
                labels: Some(vec![0, 2, 1]),
                ..auc.clone()
            },
            &mut w
        ),
        Err(MetricError::LabelsNotOrdered)
    );
    assert_eq!(
        roc_auc_score_multiclass(
            &[0, 1, 2],
            &good,
            &MulticlassRocAucOptions {
                multi_class: MultiClass::Ovo,
                average: AucAverage::Micro,
                labels: None
            },
            &mut w
        ),
        Err(MetricError::UnsupportedAverage {
            what: "average='micro' with multi_class='ovo'"
        })
    );
    assert!(matches!(
        roc_auc_score_multiclass(&[0, 1, 1], &[[0.5, 0.5]; 3], &auc, &mut w),
        Err(MetricError::ScoreShape { .. })
    ));
    assert_eq!(
        roc_auc_score_multiclass(&[0, 1, 2], &[vec![0.5, 0.5], vec![1.0]], &auc, &mut w),
        Err(MetricError::LengthMismatch {
            y_true: 3,
            other: 2
        })
    );
    assert_eq!(
        roc_auc_score_multiclass(&[0, 1], &[vec![0.2, 0.3, 0.5], vec![1.0]], &auc, &mut w),
        Err(MetricError::RaggedScores {
            row: 1,
            columns: 1,
            expected: 3
        })
    );
    let ll = LogLossOptions::default();
    assert_eq!(
        log_loss(&[0, 1], &[[0.5, 0.5], [1.5, -0.5]], &ll, &mut w),
        Err(MetricError::ProbabilityOutOfRange { value: 1.5 })
    );
    assert_eq!(
        log_loss(&[0, 1], &[[0.5, 0.5], [0.5, -0.5]], &ll, &mut w),
        Err(MetricError::ProbabilityOutOfRange { value: -0.5 })
    );
    assert_eq!(
        log_loss(&[1, 1], &[[0.5, 0.5], [0.2, 0.8]], &ll, &mut w),
        Err(MetricError::SingleLabel { label: 1 })
    );
    assert_eq!(
        log_loss(&[0, 1], &[[0.5, f64::NAN], [0.2, 0.8]], &ll, &mut w),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    assert_eq!(
        log_loss(&[0, 1, 2], &[[0.5, 0.5]; 3], &ll, &mut w),
        Err(MetricError::ClassCount {
            classes: 3,
            columns: 2
        })
    );
    assert_eq!(
        log_loss(
            &[0, 5],
            &[[0.5, 0.5]; 2],
            &LogLossOptions {
                labels: Some(vec![0, 1]),
                ..ll.clone()
            },
            &mut w
        ),
        Err(MetricError::UnknownLabel { label: 5 })
    );
    assert_eq!(
        matthews_corrcoef(&[0, 1], &[0, 1, 1]),
        Err(MetricError::LengthMismatch {
            y_true: 2,
            other: 3
        })
    );
    let top = TopKOptions::default();
    assert_eq!(
        top_k_accuracy_score(
            &[0, 1, 2],
            &[[0.2, 0.3, 0.5]; 3],
            &top.clone().with_k(0),
            &mut w
        ),
        Err(MetricError::InvalidK { k: 0 })
    );
    assert!(matches!(
        top_k_accuracy_score(&[0, 1, 1], &[[0.5, 0.5]; 3], &top, &mut w),
        Err(MetricError::ScoreShape { .. })
    ));
    assert_eq!(
        top_k_accuracy_score(&[0, 1, 2], &[[0.2, 0.3, 0.5, 0.0]; 3], &top, &mut w),
        Err(MetricError::ClassCount {
            classes: 3,
            columns: 4
        })
    );
    assert_eq!(
        top_k_accuracy_score(&[0, 1, 2], &[[0.2, f64::NAN, 0.5]; 3], &top, &mut w),
        Err(MetricError::NonFiniteScore { index: 1 })
    );
    assert!(w.is_empty(), "rejected input warns of nothing: {w:?}");
    assert_eq!(
        MetricError::BinaryAverageOnMulticlass { classes: 3 }.to_string(),
        "Target is multiclass but average='binary'. Please choose another average setting, \
         one of [None, 'micro', 'macro', 'weighted']."
    );
}
