//! The receiver operating characteristic curve of binary scores (`sklearn.metrics.roc_curve`).

use super::error::{MetricError, check_lengths, sorted_unique};
use super::warnings::{MetricWarnings, UndefinedMetric};

/// False- and true-positive rates at decreasing thresholds (`roc_curve`'s `fpr, tpr,
/// thresholds`), all of one length.
#[derive(Clone, Debug, PartialEq)]
pub struct RocCurve {
    /// False-positive rate `fp / n_negatives` at each threshold, increasing from 0; NaN when
    /// `y_true` has no negative.
    pub fpr: Vec<f64>,
    /// True-positive rate `tp / n_positives` at each threshold, increasing from 0; NaN when
    /// `y_true` has no positive.
    pub tpr: Vec<f64>,
    /// Decreasing score thresholds: a sample is predicted positive when its score is
    /// `>= threshold`. The first is `+∞` (no sample positive), as in scikit-learn ≥ 1.3.
    pub thresholds: Vec<f64>,
}

/// Options of [`roc_curve`]; defaults as scikit-learn (`pos_label=None`,
/// `drop_intermediate=True`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RocCurveOptions {
    /// The positive class (`pos_label`); `None` requires `y_true` in {0, 1} or {-1, 1} (or a
    /// single one of 0, -1, 1) and takes 1.
    pub pos_label: Option<i64>,
    /// Drops thresholds whose point lies on a straight line between its neighbours
    /// (`drop_intermediate`).
    pub drop_intermediate: bool,
}

impl Default for RocCurveOptions {
    fn default() -> Self {
        RocCurveOptions {
            pos_label: None,
            drop_intermediate: true,
        }
    }
}

/// `pos_label`, or 1 when `y_true` takes values in {0, 1} or {-1, 1}
/// (`_check_pos_label_consistency`).
pub(crate) fn resolve_pos_label(
    y_true: &[i64],
    pos_label: Option<i64>,
) -> Result<i64, MetricError> {
    if let Some(p) = pos_label {
        return Ok(p);
    }
    let classes = sorted_unique(y_true);
    let allowed: [&[i64]; 5] = [&[0, 1], &[-1, 1], &[0], &[-1], &[1]];
    if allowed.contains(&classes.as_slice()) {
        Ok(1)
    } else {
        Err(MetricError::PosLabelRequired { classes })
    }
}

/// Cumulative false and true positives and the score at each distinct score, highest first
/// (`confusion_matrix_at_thresholds`' `fps, tps, thresholds`). Scores must be finite.
pub(crate) fn threshold_counts(
    positive: &[bool],
    y_score: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..y_score.len()).collect();
    order.sort_by(|&a, &b| y_score[b].total_cmp(&y_score[a]));
    let (mut fps, mut tps, mut thresholds) = (Vec::new(), Vec::new(), Vec::new());
    let mut tp = 0.0;
    for (k, &i) in order.iter().enumerate() {
        if positive[i] {
            tp += 1.0;
        }
        let last_of_score = order
            .get(k + 1)
            .is_none_or(|&next| y_score[next] != y_score[i]);
        if last_of_score {
            // fps = 1 + threshold_idx - tps, as scikit-learn computes it without weights.
            fps.push(1.0 + k as f64 - tp);
            tps.push(tp);
            thresholds.push(y_score[i]);
        }
    }
    (fps, tps, thresholds)
}

/// The ROC curve of an already binarised `positive` mask (the body of [`roc_curve`]).
pub(crate) fn binary_roc_curve(
    positive: &[bool],
    y_score: &[f64],
    drop_intermediate: bool,
    warnings: &mut MetricWarnings,
) -> RocCurve {
    let (mut fps, mut tps, mut thresholds) = threshold_counts(positive, y_score);
    if drop_intermediate && fps.len() > 2 {
        let n = fps.len();
        let bends = |v: &[f64], i: usize| v[i + 1] - 2.0 * v[i] + v[i - 1] != 0.0;
        let keep: Vec<usize> = (0..n)
            .filter(|&i| i == 0 || i == n - 1 || bends(&fps, i) || bends(&tps, i))
            .collect();
        fps = keep.iter().map(|&i| fps[i]).collect();
        tps = keep.iter().map(|&i| tps[i]).collect();
        thresholds = keep.iter().map(|&i| thresholds[i]).collect();
    }
    fps.insert(0, 0.0);
    tps.insert(0, 0.0);
    thresholds.insert(0, f64::INFINITY);
    let (n_fp, n_tp) = (fps[fps.len() - 1], tps[tps.len() - 1]);
    let fpr = if n_fp <= 0.0 {
        warnings.push(UndefinedMetric::NoNegativeSamples);
        vec![f64::NAN; fps.len()]
    } else {
        fps.iter().map(|f| f / n_fp).collect()
    };
    let tpr = if n_tp <= 0.0 {
        warnings.push(UndefinedMetric::NoPositiveSamples);
        vec![f64::NAN; tps.len()]
    } else {
        tps.iter().map(|t| t / n_tp).collect()
    };
    RocCurve {
        fpr,
        tpr,
        thresholds,
    }
}

/// The area under a curve by the trapezoidal rule, `Σ (x[i+1] − x[i])·(y[i+1] + y[i]) / 2`
/// (`auc(x, y)` for increasing `x`, i.e. `np.trapezoid(y, x)`).
pub(crate) fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    (1..x.len())
        .map(|i| (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2.0)
        .sum()
}

/// The ROC curve of `y_score` against `y_true` (`roc_curve(y_true, y_score, pos_label=…,
/// drop_intermediate=…)`): one point per distinct score (ties form one point), plus the origin
/// at threshold `+∞`. Without negatives (or positives) the false- (true-) positive rates are NaN
/// and an [`UndefinedMetric`] is recorded, as scikit-learn warns.
pub fn roc_curve(
    y_true: &[i64],
    y_score: &[f64],
    options: &RocCurveOptions,
    warnings: &mut MetricWarnings,
) -> Result<RocCurve, MetricError> {
    check_lengths(y_true.len(), y_score.len())?;
    if let Some(index) = y_score.iter().position(|s| !s.is_finite()) {
        return Err(MetricError::NonFiniteScore { index });
    }
    let pos_label = resolve_pos_label(y_true, options.pos_label)?;
    let positive: Vec<bool> = y_true.iter().map(|&t| t == pos_label).collect();
    Ok(binary_roc_curve(
        &positive,
        y_score,
        options.drop_intermediate,
        warnings,
    ))
}
