//! The Matthews correlation coefficient, binary and multi-class
//! (`sklearn.metrics.matthews_corrcoef`).

use super::confusion::confusion_matrix;
use super::error::MetricError;

/// The Matthews correlation coefficient of `y_pred` against `y_true` (`matthews_corrcoef`), in
/// `[−1, 1]`, in its multi-class form (Gorodkin's R_K, which is the usual MCC for two classes):
/// with `C` the confusion matrix over the labels of both slices, `t` its row sums, `p` its
/// column sums, `c = trace C` and `s = Σ C`,
/// `(c·s − t·p) / √((s² − p·p)(s² − t·t))`; 0 when the denominator is 0 (e.g. a single class
/// predicted or present).
pub fn matthews_corrcoef(y_true: &[i64], y_pred: &[i64]) -> Result<f64, MetricError> {
    let cm = confusion_matrix(y_true, y_pred, None)?;
    let k = cm.labels.len();
    let t_sum: Vec<f64> = (0..k)
        .map(|i| cm.counts[i].iter().sum::<usize>() as f64)
        .collect();
    let p_sum: Vec<f64> = (0..k)
        .map(|j| (0..k).map(|i| cm.counts[i][j]).sum::<usize>() as f64)
        .collect();
    let n_correct = (0..k).map(|i| cm.counts[i][i]).sum::<usize>() as f64;
    let n_samples: f64 = p_sum.iter().sum();
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let cov_ytyp = n_correct * n_samples - dot(&t_sum, &p_sum);
    let cov_ypyp = n_samples * n_samples - dot(&p_sum, &p_sum);
    let cov_ytyt = n_samples * n_samples - dot(&t_sum, &t_sum);
    let denominator = cov_ypyp * cov_ytyt;
    Ok(if denominator == 0.0 {
        0.0
    } else {
        cov_ytyp / denominator.sqrt()
    })
}
