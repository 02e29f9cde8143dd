//! Counts of (true, predicted) label pairs (`sklearn.metrics.confusion_matrix`).

use std::collections::BTreeSet;

use super::error::{MetricError, check_lengths};

/// A confusion matrix: `counts[i][j]` is the number of samples whose true label is
/// `labels[i]` and whose predicted label is `labels[j]` (scikit-learn's orientation: rows are
/// true labels, columns predictions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// The labels indexing rows and columns.
    pub labels: Vec<i64>,
    /// `labels.len() × labels.len()` counts.
    pub counts: Vec<Vec<usize>>,
}

/// The sorted distinct labels of `y_true` and `y_pred` together
/// (`sklearn.utils.multiclass.unique_labels`).
pub fn unique_labels(y_true: &[i64], y_pred: &[i64]) -> Vec<i64> {
    let set: BTreeSet<i64> = y_true.iter().chain(y_pred).copied().collect();
    set.into_iter().collect()
}

/// The confusion matrix of `y_pred` against `y_true`
/// (`confusion_matrix(y_true, y_pred, labels=labels)`). `labels` picks and orders the classes
/// (samples whose true or predicted label is not among them are not counted); `None` uses the
/// sorted labels present in either slice.
pub fn confusion_matrix(
    y_true: &[i64],
    y_pred: &[i64],
    labels: Option<&[i64]>,
) -> Result<ConfusionMatrix, MetricError> {
    check_lengths(y_true.len(), y_pred.len())?;
    let labels = match labels {
        Some(l) => l.to_vec(),
        None => unique_labels(y_true, y_pred),
    };
    if !labels.is_empty() && !y_true.iter().any(|t| labels.contains(t)) {
        return Err(MetricError::NoKnownLabel);
    }
    let position = |l: &i64| labels.iter().position(|x| x == l);
    let mut counts = vec![vec![0usize; labels.len()]; labels.len()];
    for (t, p) in y_true.iter().zip(y_pred) {
        if let (Some(i), Some(j)) = (position(t), position(p)) {
            counts[i][j] += 1;
        }
    }
    Ok(ConfusionMatrix { labels, counts })
}
