//! Undefined-metric warnings returned as data (scikit-learn's `UndefinedMetricWarning`).
//!
//! scikit-learn calls `warnings.warn` when a metric is ill-defined on the data it was given (a
//! precision with no predicted positives, an ROC curve with no negatives, …) and returns a
//! conventional value. Kiln returns the same value and pushes an [`UndefinedMetric`] into the
//! [`MetricWarnings`] collector the caller passes, so a program can log, count or reject them;
//! nothing is printed. The `Display` of each warning is scikit-learn's message text.
//!
//! ```
//! use kiln_trainer::metrics::{MetricWarnings, PrfOptions, ScoreAverage, precision_score};
//!
//! let mut warnings = MetricWarnings::new();
//! let p = precision_score(&[0, 1, 1], &[0, 0, 0], ScoreAverage::default(),
//!                         &PrfOptions::default(), &mut warnings).unwrap();
//! assert_eq!(p, 0.0);
//! assert_eq!(warnings.len(), 1);
//! assert_eq!(warnings.iter().next().unwrap().to_string(),
//!     "Precision is ill-defined and being set to 0.0 due to no predicted samples. \
//!      Use `zero_division` parameter to control this behavior.");
//! ```

use std::fmt;

/// Which precision / recall / F-score ratio was 0/0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IllDefinedScore {
    /// `tp / (tp + fp)` with nothing predicted positive.
    Precision,
    /// `tp / (tp + fn)` with no true positive sample.
    Recall,
    /// The F-score with neither true nor predicted samples.
    FScore,
}

/// One undefined-metric event (scikit-learn's `UndefinedMetricWarning`, plus the two
/// `UserWarning`s its probabilistic metrics give for the same kind of trouble).
#[derive(Clone, Debug, PartialEq)]
pub enum UndefinedMetric {
    /// A precision, recall or F-score ratio was 0/0 under `zero_division="warn"` and was set
    /// to 0.0 (`_warn_prf`).
    IllDefined {
        /// The ratio.
        score: IllDefinedScore,
        /// The classes whose ratio was 0/0 (for a micro average: every class scored).
        labels: Vec<i64>,
        /// Whether several ratios were computed (scikit-learn then says "in labels with"
        /// instead of "due to").
        per_label: bool,
    },
    /// `y_true` holds a single class, so the ROC AUC is NaN (`_binary_roc_auc_score`).
    SingleClassRocAuc,
    /// An ROC curve over data without negatives: every false-positive rate is NaN.
    NoNegativeSamples,
    /// An ROC curve over data without positives: every true-positive rate is NaN.
    NoPositiveSamples,
    /// A precision-recall curve (and average precision) over data without positives: recall
    /// is set to 1 (a `UserWarning` in scikit-learn).
    NoPositiveClass,
    /// Top-k accuracy with `k ≥ n_classes` is always 1.
    KNotBelowClasses {
        /// The `k` asked for.
        k: usize,
        /// The number of classes.
        n_classes: usize,
    },
    /// `log_loss` probabilities whose rows do not sum to 1 (a `UserWarning` in scikit-learn);
    /// the loss is computed on them as given.
    ProbabilitiesDoNotSumToOne,
}

impl fmt::Display for UndefinedMetric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UndefinedMetric::IllDefined {
                score, per_label, ..
            } => {
                let (start, modifier) = match score {
                    IllDefinedScore::Precision => ("Precision is", "predicted"),
                    IllDefinedScore::Recall => ("Recall is", "true"),
                    IllDefinedScore::FScore => ("F-score is", "true nor predicted"),
                };
                let how = if *per_label {
                    "in labels with"
                } else {
                    "due to"
                };
                write!(
                    f,
                    "{start} ill-defined and being set to 0.0 {how} no {modifier} samples. Use \
                     `zero_division` parameter to control this behavior."
                )
            }
            UndefinedMetric::SingleClassRocAuc => f.write_str(
                "Only one class is present in y_true. ROC AUC score is not defined in that case.",
            ),
            UndefinedMetric::NoNegativeSamples => f.write_str(
                "No negative samples in y_true, false positive value should be meaningless",
            ),
            UndefinedMetric::NoPositiveSamples => f.write_str(
                "No positive samples in y_true, true positive value should be meaningless",
            ),
            UndefinedMetric::NoPositiveClass => f.write_str(
                "No positive class found in y_true, recall is set to one for all thresholds.",
            ),
            UndefinedMetric::KNotBelowClasses { k, n_classes } => write!(
                f,
                "'k' ({k}) greater than or equal to 'n_classes' ({n_classes}) will result in a \
                 perfect score and is therefore meaningless."
            ),
            UndefinedMetric::ProbabilitiesDoNotSumToOne => {
                f.write_str("The y_prob values do not sum to one. Make sure to pass probabilities.")
            }
        }
    }
}

/// The collector that metric functions push their [`UndefinedMetric`] warnings into, in the
/// order scikit-learn would emit them. Pass one collector to many metrics to gather every
/// warning of an evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricWarnings {
    warnings: Vec<UndefinedMetric>,
}

impl MetricWarnings {
    /// An empty collector.
    pub fn new() -> Self {
        MetricWarnings::default()
    }

    /// Records one warning.
    pub fn push(&mut self, warning: UndefinedMetric) {
        self.warnings.push(warning);
    }

    /// The warnings recorded so far, oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, UndefinedMetric> {
        self.warnings.iter()
    }

    /// Number of warnings recorded.
    pub fn len(&self) -> usize {
        self.warnings.len()
    }

    /// Whether no warning was recorded.
    pub fn is_empty(&self) -> bool {
        self.warnings.is_empty()
    }

    /// The recorded warnings, oldest first.
    pub fn into_vec(self) -> Vec<UndefinedMetric> {
        self.warnings
    }
}

/// Pushes scikit-learn's `_prf_divide` warnings for ratios `numerator / denominator` that are
/// 0/0, when `warn` is set (`zero_division="warn"` and this score is in `warn_for`).
pub(crate) fn warn_zero_denominators(
    warnings: &mut MetricWarnings,
    score: IllDefinedScore,
    labels: &[i64],
    denominators: &[f64],
    warn: bool,
) {
    if !warn {
        return;
    }
    // One summed denominator (micro average, binary) stands for every label scored.
    let hit: Vec<i64> = if denominators.len() == 1 {
        if denominators[0] == 0.0 {
            labels.to_vec()
        } else {
            Vec::new()
        }
    } else {
        labels
            .iter()
            .zip(denominators)
            .filter(|(_, d)| **d == 0.0)
            .map(|(l, _)| *l)
            .collect()
    };
    if hit.is_empty() {
        return;
    }
    warnings.push(UndefinedMetric::IllDefined {
        score,
        labels: hit,
        per_label: denominators.len() > 1,
    });
}
