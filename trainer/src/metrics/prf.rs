//! Precision, recall, F-score and support per class and averaged
//! (`sklearn.metrics.precision_recall_fscore_support`).

use super::confusion::confusion_matrix;
use super::error::MetricError;

/// The value a ratio takes when its denominator is zero (scikit-learn's `zero_division`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum ZeroDivision {
    /// `"warn"`, the default: the ratio is 0. scikit-learn also warns; the functions taking a
    /// [`MetricWarnings`](super::MetricWarnings) collector (e.g.
    /// [`precision_score`](super::precision_score)) record the warning there, the others drop
    /// it.
    #[default]
    Warn,
    /// `zero_division=0`.
    Zero,
    /// `zero_division=1`.
    One,
    /// `zero_division=np.nan`: the ratio is NaN and averages skip it.
    Nan,
}

impl ZeroDivision {
    pub(crate) fn value(self) -> f64 {
        match self {
            ZeroDivision::Warn | ZeroDivision::Zero => 0.0,
            ZeroDivision::One => 1.0,
            ZeroDivision::Nan => f64::NAN,
        }
    }
}

/// How per-class scores are combined (scikit-learn's `average=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Average {
    /// Global counts of true positives, false positives and false negatives (`"micro"`).
    Micro,
    /// Unweighted mean over classes (`"macro"`).
    Macro,
    /// Mean over classes weighted by support (`"weighted"`).
    Weighted,
}

/// Per-class scores, in the order of `labels` (`average=None`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrecisionRecallFscore {
    /// The classes scored.
    pub labels: Vec<i64>,
    /// `tp / (tp + fp)` per class.
    pub precision: Vec<f64>,
    /// `tp / (tp + fn)` per class.
    pub recall: Vec<f64>,
    /// `(1 + β²)·tp / ((1 + β²)·tp + β²·fn + fp)` per class.
    pub fscore: Vec<f64>,
    /// Number of true samples per class.
    pub support: Vec<usize>,
}

/// One averaged score triple (support is not averaged, as in scikit-learn).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AveragedScores {
    /// Averaged precision.
    pub precision: f64,
    /// Averaged recall.
    pub recall: f64,
    /// Averaged F-score.
    pub fscore: f64,
}

/// Options of [`precision_recall_fscore_support`]; defaults as scikit-learn (`beta=1`,
/// labels from the data, `zero_division="warn"`).
#[derive(Clone, Debug, PartialEq)]
pub struct PrfOptions {
    /// Weight of recall in the F-score (`beta`).
    pub beta: f64,
    /// Classes to score, in order; `None` = sorted labels present in `y_true` or `y_pred`.
    pub labels: Option<Vec<i64>>,
    /// Value of a 0/0 ratio.
    pub zero_division: ZeroDivision,
}

impl Default for PrfOptions {
    fn default() -> Self {
        PrfOptions {
            beta: 1.0,
            labels: None,
            zero_division: ZeroDivision::Warn,
        }
    }
}

/// Per-class counts: true positives, predicted and true samples.
pub(crate) struct Counts {
    pub(crate) tp: Vec<f64>,
    pub(crate) pred: Vec<f64>,
    pub(crate) truth: Vec<f64>,
}

/// Counts per class of `y_pred` against `y_true` over `options.labels`, and those labels.
pub(crate) fn class_counts(
    y_true: &[i64],
    y_pred: &[i64],
    options: &PrfOptions,
) -> Result<(Vec<i64>, Counts), MetricError> {
    let cm = confusion_matrix(y_true, y_pred, options.labels.as_deref())?;
    // Predicted and true totals count every sample of the class, including those paired with a
    // label left out of `labels` (scikit-learn's multilabel_confusion_matrix does the same).
    let total = |ys: &[i64]| -> Vec<f64> {
        cm.labels
            .iter()
            .map(|l| ys.iter().filter(|y| *y == l).count() as f64)
            .collect()
    };
    let counts = Counts {
        tp: (0..cm.labels.len())
            .map(|i| cm.counts[i][i] as f64)
            .collect(),
        pred: total(y_pred),
        truth: total(y_true),
    };
    Ok((cm.labels, counts))
}

/// `num / den` per element, `zero` where `den` is 0.
fn divide(num: &[f64], den: &[f64], zero: f64) -> Vec<f64> {
    num.iter()
        .zip(den)
        .map(|(&n, &d)| if d == 0.0 { zero } else { n / d })
        .collect()
}

/// Precision, recall and F-score from counts, as scikit-learn computes them.
pub(crate) fn ratios(
    c: &Counts,
    beta: f64,
    zero_division: ZeroDivision,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let zero = zero_division.value();
    let precision = divide(&c.tp, &c.pred, zero);
    let recall = divide(&c.tp, &c.truth, zero);
    let fscore = if beta.is_infinite() {
        recall.clone()
    } else if beta == 0.0 {
        precision.clone()
    } else {
        let b2 = beta * beta;
        let num: Vec<f64> = c.tp.iter().map(|&t| (1.0 + b2) * t).collect();
        let den: Vec<f64> = c
            .truth
            .iter()
            .zip(&c.pred)
            .map(|(&t, &p)| b2 * t + p)
            .collect();
        divide(&num, &den, zero)
    };
    (precision, recall, fscore)
}

/// Mean of the non-NaN `values`, weighted by `weights` when given (scikit-learn's
/// `_nanaverage`): NaN when every value is NaN, the plain mean when the remaining weights sum
/// to 0.
pub(crate) fn nan_average(values: &[f64], weights: Option<&[f64]>) -> f64 {
    let kept: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| !v.is_nan())
        .map(|(i, &v)| (v, weights.map_or(1.0, |w| w[i])))
        .collect();
    if kept.is_empty() {
        return f64::NAN;
    }
    let total: f64 = kept.iter().map(|(_, w)| w).sum();
    if total == 0.0 {
        return kept.iter().map(|(v, _)| v).sum::<f64>() / kept.len() as f64;
    }
    kept.iter().map(|(v, w)| v * w).sum::<f64>() / total
}

/// Precision, recall, F-beta score and support for each class
/// (`precision_recall_fscore_support(y_true, y_pred, average=None)`). A class never predicted
/// has precision `zero_division`; a class absent from `y_true` has recall `zero_division`; the
/// F-score is `zero_division` only when the class is neither true nor predicted.
pub fn precision_recall_fscore_support(
    y_true: &[i64],
    y_pred: &[i64],
    options: &PrfOptions,
) -> Result<PrecisionRecallFscore, MetricError> {
    let (labels, counts) = class_counts(y_true, y_pred, options)?;
    let (precision, recall, fscore) = ratios(&counts, options.beta, options.zero_division);
    Ok(PrecisionRecallFscore {
        labels,
        precision,
        recall,
        fscore,
        support: counts.truth.iter().map(|&t| t as usize).collect(),
    })
}

/// Averaged precision, recall and F-beta score
/// (`precision_recall_fscore_support(y_true, y_pred, average=…)`): micro from the summed
/// counts, macro as the plain mean and weighted as the support-weighted mean of the per-class
/// scores (NaN scores skipped).
pub fn precision_recall_fscore_average(
    y_true: &[i64],
    y_pred: &[i64],
    average: Average,
    options: &PrfOptions,
) -> Result<AveragedScores, MetricError> {
    let (_, counts) = class_counts(y_true, y_pred, options)?;
    let scores = |p: Vec<f64>, r: Vec<f64>, f: Vec<f64>, w: Option<&[f64]>| AveragedScores {
        precision: nan_average(&p, w),
        recall: nan_average(&r, w),
        fscore: nan_average(&f, w),
    };
    Ok(match average {
        Average::Micro => {
            let total = |v: &[f64]| vec![v.iter().sum::<f64>()];
            let micro = Counts {
                tp: total(&counts.tp),
                pred: total(&counts.pred),
                truth: total(&counts.truth),
            };
            let (p, r, f) = ratios(&micro, options.beta, options.zero_division);
            scores(p, r, f, None)
        }
        Average::Macro => {
            let (p, r, f) = ratios(&counts, options.beta, options.zero_division);
            scores(p, r, f, None)
        }
        Average::Weighted => {
            let (p, r, f) = ratios(&counts, options.beta, options.zero_division);
            scores(p, r, f, Some(&counts.truth))
        }
    })
}
