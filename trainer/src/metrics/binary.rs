//! `precision_score`, `recall_score`, `f1_score` and `fbeta_score` with scikit-learn's
//! `average=` choices, including its default `average='binary'` with `pos_label`, and with
//! their undefined-metric warnings returned to the caller.

use super::confusion::unique_labels;
use super::error::{MetricError, check_lengths};
use super::prf::{
    AveragedScores, Counts, PrfOptions, ZeroDivision, class_counts, nan_average, ratios,
};
use super::warnings::{IllDefinedScore, MetricWarnings, warn_zero_denominators};

/// How the scores of `precision_score` & co. are combined (scikit-learn's `average=`, whose
/// default is `'binary'` with `pos_label=1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScoreAverage {
    /// Only the class `pos_label` is scored (`average='binary'`); the labels present in
    /// `y_true` and `y_pred` together must be at most two, and `pos_label` one of them when
    /// there are two. `PrfOptions::labels` is ignored, as scikit-learn ignores `labels`.
    Binary {
        /// The positive class (`pos_label`, scikit-learn's default 1).
        pos_label: i64,
    },
    /// Global counts of true positives, false positives and false negatives (`'micro'`).
    Micro,
    /// Unweighted mean over classes (`'macro'`).
    Macro,
    /// Mean over classes weighted by support (`'weighted'`).
    Weighted,
}

impl Default for ScoreAverage {
    /// scikit-learn's default, `average='binary', pos_label=1`.
    fn default() -> Self {
        ScoreAverage::Binary { pos_label: 1 }
    }
}

/// Which ratios may warn (scikit-learn's `warn_for`).
#[derive(Clone, Copy)]
pub(crate) struct WarnFor {
    pub(crate) precision: bool,
    pub(crate) recall: bool,
    pub(crate) fscore: bool,
}

impl WarnFor {
    /// `warn_for=("precision", "recall", "f-score")`, `precision_recall_fscore_support`'s.
    pub(crate) const ALL: WarnFor = WarnFor {
        precision: true,
        recall: true,
        fscore: true,
    };
    /// `precision_score`'s `warn_for=("precision",)`.
    const PRECISION: WarnFor = WarnFor {
        precision: true,
        recall: false,
        fscore: false,
    };
    /// `recall_score`'s `warn_for=("recall",)`.
    const RECALL: WarnFor = WarnFor {
        precision: false,
        recall: true,
        fscore: false,
    };
    /// `fbeta_score`'s `warn_for=("f-score",)`.
    const FSCORE: WarnFor = WarnFor {
        precision: false,
        recall: false,
        fscore: true,
    };
}

/// Counts of the single class `pos_label` (`average='binary'`), after scikit-learn's checks.
fn binary_counts(y_true: &[i64], y_pred: &[i64], pos_label: i64) -> Result<Counts, MetricError> {
    check_lengths(y_true.len(), y_pred.len())?;
    let present = unique_labels(y_true, y_pred);
    if present.len() > 2 {
        return Err(MetricError::BinaryAverageOnMulticlass {
            classes: present.len(),
        });
    }
    if present.len() == 2 && !present.contains(&pos_label) {
        return Err(MetricError::InvalidPosLabel { pos_label, present });
    }
    let count = |f: &dyn Fn(usize) -> bool| (0..y_true.len()).filter(|&i| f(i)).count() as f64;
    Ok(Counts {
        tp: vec![count(&|i| y_true[i] == pos_label && y_pred[i] == pos_label)],
        pred: vec![count(&|i| y_pred[i] == pos_label)],
        truth: vec![count(&|i| y_true[i] == pos_label)],
    })
}

/// Pushes the 0/0 warnings of precision, recall and F-score computed from `counts`.
pub(crate) fn warn_ratios(
    counts: &Counts,
    labels: &[i64],
    beta: f64,
    zero_division: ZeroDivision,
    warn_for: WarnFor,
    warnings: &mut MetricWarnings,
) {
    let warn = zero_division == ZeroDivision::Warn;
    warn_zero_denominators(
        warnings,
        IllDefinedScore::Precision,
        labels,
        &counts.pred,
        warn && warn_for.precision,
    );
    warn_zero_denominators(
        warnings,
        IllDefinedScore::Recall,
        labels,
        &counts.truth,
        warn && warn_for.recall,
    );
    if beta.is_finite() && beta != 0.0 {
        let b2 = beta * beta;
        let den: Vec<f64> = counts
            .truth
            .iter()
            .zip(&counts.pred)
            .map(|(&t, &p)| b2 * t + p)
            .collect();
        warn_zero_denominators(
            warnings,
            IllDefinedScore::FScore,
            labels,
            &den,
            warn && warn_for.fscore,
        );
    }
}

/// The shared body of the scores below.
pub(crate) fn averaged_scores(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warn_for: WarnFor,
    warnings: &mut MetricWarnings,
) -> Result<AveragedScores, MetricError> {
    let (labels, counts, weighted) = match average {
        ScoreAverage::Binary { pos_label } => (
            vec![pos_label],
            binary_counts(y_true, y_pred, pos_label)?,
            false,
        ),
        ScoreAverage::Micro => {
            let (labels, c) = class_counts(y_true, y_pred, options)?;
            let total = |v: &[f64]| vec![v.iter().sum::<f64>()];
            let summed = Counts {
                tp: total(&c.tp),
                pred: total(&c.pred),
                truth: total(&c.truth),
            };
            (labels, summed, false)
        }
        ScoreAverage::Macro => {
            let (labels, c) = class_counts(y_true, y_pred, options)?;
            (labels, c, false)
        }
        ScoreAverage::Weighted => {
            let (labels, c) = class_counts(y_true, y_pred, options)?;
            (labels, c, true)
        }
    };
    let (p, r, f) = ratios(&counts, options.beta, options.zero_division);
    warn_ratios(
        &counts,
        &labels,
        options.beta,
        options.zero_division,
        warn_for,
        warnings,
    );
    let weights = weighted.then_some(counts.truth.as_slice());
    Ok(AveragedScores {
        precision: nan_average(&p, weights),
        recall: nan_average(&r, weights),
        fscore: nan_average(&f, weights),
    })
}

/// Precision, recall and F-beta score averaged as `average` says
/// (`precision_recall_fscore_support(y_true, y_pred, average=…, pos_label=…)`), recording a
/// warning for every 0/0 ratio under `zero_division="warn"`.
pub fn precision_recall_fscore(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warnings: &mut MetricWarnings,
) -> Result<AveragedScores, MetricError> {
    averaged_scores(y_true, y_pred, average, options, WarnFor::ALL, warnings)
}

/// `tp / (tp + fp)` averaged as `average` says (`precision_score`), in `[0, 1]`; warns only
/// about precision, as scikit-learn does.
pub fn precision_score(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    averaged_scores(
        y_true,
        y_pred,
        average,
        options,
        WarnFor::PRECISION,
        warnings,
    )
    .map(|s| s.precision)
}

/// `tp / (tp + fn)` averaged as `average` says (`recall_score`), in `[0, 1]`; warns only about
/// recall.
pub fn recall_score(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    averaged_scores(y_true, y_pred, average, options, WarnFor::RECALL, warnings).map(|s| s.recall)
}

/// The F-beta score with `beta = options.beta`, averaged as `average` says (`fbeta_score`);
/// warns only about the F-score (neither true nor predicted samples).
pub fn fbeta_score(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    averaged_scores(y_true, y_pred, average, options, WarnFor::FSCORE, warnings).map(|s| s.fscore)
}

/// The F1 score, `2·tp / (2·tp + fp + fn)`, averaged as `average` says (`f1_score`);
/// `options.beta` is ignored (always 1).
pub fn f1_score(
    y_true: &[i64],
    y_pred: &[i64],
    average: ScoreAverage,
    options: &PrfOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    let options = PrfOptions {
        beta: 1.0,
        ..options.clone()
    };
    fbeta_score(y_true, y_pred, average, &options, warnings)
}
