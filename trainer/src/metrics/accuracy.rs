//! Fraction of correct predictions (`sklearn.metrics.accuracy_score`).

use super::error::{MetricError, check_lengths};

/// The fraction of samples whose predicted label equals the true label, in `[0, 1]`
/// (`accuracy_score(y_true, y_pred)` with `normalize=True`).
pub fn accuracy_score(y_true: &[i64], y_pred: &[i64]) -> Result<f64, MetricError> {
    check_lengths(y_true.len(), y_pred.len())?;
    let correct = y_true.iter().zip(y_pred).filter(|(t, p)| t == p).count();
    Ok(correct as f64 / y_true.len() as f64)
}
