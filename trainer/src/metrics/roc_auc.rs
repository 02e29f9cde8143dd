//! Area under the ROC curve for binary labels (`sklearn.metrics.roc_auc_score`).

use super::error::{MetricError, check_lengths};

/// The area under the receiver operating characteristic curve of `y_score` against binary
/// `y_true` (`roc_auc_score(y_true, y_score)`), in `[0, 1]`.
///
/// `y_true` must hold exactly two distinct labels; the larger one is the positive class (as
/// scikit-learn's `label_binarize` picks it, e.g. 1 of {0, 1}). Scores are any finite reals
/// (probabilities, logits, decision values), larger meaning more positive. The curve has one
/// point per distinct score, so tied scores count half, and its area is the trapezoidal rule
/// over the points scikit-learn keeps (`roc_curve(drop_intermediate=True)`).
pub fn roc_auc_score(y_true: &[i64], y_score: &[f64]) -> Result<f64, MetricError> {
    check_lengths(y_true.len(), y_score.len())?;
    if let Some(index) = y_score.iter().position(|s| !s.is_finite()) {
        return Err(MetricError::NonFiniteScore { index });
    }
    let mut classes: Vec<i64> = y_true.to_vec();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() != 2 {
        return Err(MetricError::NotBinary {
            classes: classes.len(),
        });
    }
    let positive = classes[1];
    let (fps, tps) = curve_counts(y_true, y_score, positive);
    let (mut fps, mut tps) = drop_intermediate(fps, tps);
    // The curve starts at the origin (an extra threshold above every score).
    fps.insert(0, 0.0);
    tps.insert(0, 0.0);
    let (n_fp, n_tp) = (fps[fps.len() - 1], tps[tps.len() - 1]);
    let mut area = 0.0;
    for i in 1..fps.len() {
        let (x0, x1) = (fps[i - 1] / n_fp, fps[i] / n_fp);
        let (y0, y1) = (tps[i - 1] / n_tp, tps[i] / n_tp);
        area += (x1 - x0) * (y1 + y0) / 2.0;
    }
    Ok(area)
}

/// Cumulative false and true positives at each distinct score, from the highest score down
/// (scikit-learn's `_binary_clf_curve`).
fn curve_counts(y_true: &[i64], y_score: &[f64], positive: i64) -> (Vec<f64>, Vec<f64>) {
    let mut order: Vec<usize> = (0..y_score.len()).collect();
    order.sort_by(|&a, &b| y_score[b].total_cmp(&y_score[a]));
    let (mut fps, mut tps) = (Vec::new(), Vec::new());
    let (mut fp, mut tp) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        if y_true[i] == positive {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_score = order
            .get(k + 1)
            .is_none_or(|&next| y_score[next] != y_score[i]);
        if last_of_score {
            fps.push(fp);
            tps.push(tp);
        }
    }
    (fps, tps)
}

/// Drops the points that lie on a straight line between their neighbours, keeping the ends
/// (`roc_curve`'s `drop_intermediate=True`, applied before the origin is prepended).
fn drop_intermediate(fps: Vec<f64>, tps: Vec<f64>) -> (Vec<f64>, Vec<f64>) {
    let n = fps.len();
    if n <= 2 {
        return (fps, tps);
    }
    let bends = |v: &[f64], i: usize| v[i + 1] - 2.0 * v[i] + v[i - 1] != 0.0;
    let keep: Vec<usize> = (0..n)
        .filter(|&i| i == 0 || i == n - 1 || bends(&fps, i) || bends(&tps, i))
        .collect();
    (
        keep.iter().map(|&i| fps[i]).collect(),
        keep.iter().map(|&i| tps[i]).collect(),
    )
}
