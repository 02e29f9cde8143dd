//! Metric inputs scikit-learn rejects give typed errors; ROC AUC properties on random data.

use kiln_trainer::metrics::{
    MetricError, ReportOptions, accuracy_score, classification_report, confusion_matrix,
    roc_auc_score,
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
