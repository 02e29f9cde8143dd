//! Average precision of binary scores (`sklearn.metrics.average_precision_score`).

use super::error::{MetricError, check_lengths, sorted_unique};
use super::roc_curve::threshold_counts;
use super::warnings::{MetricWarnings, UndefinedMetric};

/// The average precision of `y_score` against binary `y_true`
/// (`average_precision_score(y_true, y_score, pos_label=pos_label)`; scikit-learn's default
/// `pos_label` is 1), in `[0, 1]`: `AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ` over the distinct score thresholds
/// from the highest down, the step-wise (uninterpolated) area under the precision-recall curve.
///
/// `y_true` must hold at most two labels and, when two, `pos_label` must be one of them. With
/// no positive sample the recall is taken as 1 everywhere, the result is 0 and
/// [`UndefinedMetric::NoPositiveClass`] is recorded.
pub fn average_precision_score(
    y_true: &[i64],
    y_score: &[f64],
    pos_label: i64,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    check_lengths(y_true.len(), y_score.len())?;
    let present = sorted_unique(y_true);
    if present.len() > 2 {
        return Err(MetricError::NotBinary {
            classes: present.len(),
        });
    }
    if present.len() == 2 && !present.contains(&pos_label) {
        return Err(MetricError::InvalidPosLabel { pos_label, present });
    }
    if let Some(index) = y_score.iter().position(|s| !s.is_finite()) {
        return Err(MetricError::NonFiniteScore { index });
    }
    let positive: Vec<bool> = y_true.iter().map(|&t| t == pos_label).collect();
    let (fps, tps, _) = threshold_counts(&positive, y_score);
    let precision: Vec<f64> = tps
        .iter()
        .zip(&fps)
        .map(|(&t, &f)| if t + f != 0.0 { t / (t + f) } else { 0.0 })
        .collect();
    let n_tp = tps[tps.len() - 1];
    let recall: Vec<f64> = if n_tp == 0.0 {
        warnings.push(UndefinedMetric::NoPositiveClass);
        vec![1.0; tps.len()]
    } else {
        tps.iter().map(|t| t / n_tp).collect()
    };
    // precision_recall_curve reverses the points and appends (recall 0, precision 1);
    // AP = −Σ diff(recall)·precision[:-1], clipped at 0 against a −0.0.
    let mut rec: Vec<f64> = recall.into_iter().rev().collect();
    rec.push(0.0);
    let prec: Vec<f64> = precision.into_iter().rev().collect();
    let sum: f64 = (0..prec.len())
        .map(|i| (rec[i + 1] - rec[i]) * prec[i])
        .sum();
    Ok(0.0f64.max(-sum))
}
