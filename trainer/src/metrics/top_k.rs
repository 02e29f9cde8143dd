//! Top-k accuracy (`sklearn.metrics.top_k_accuracy_score`).

use super::error::{MetricError, check_matrix, check_ordered_labels, sorted_unique};
use super::warnings::{MetricWarnings, UndefinedMetric};

/// Options of [`top_k_accuracy_score`]; defaults as scikit-learn (`k=2`, `normalize=True`,
/// labels from `y_true`).
#[derive(Clone, Debug, PartialEq)]
pub struct TopKOptions {
    /// How many of the best-scored classes may hold the true one (`k=`, at least 1).
    pub k: usize,
    /// Fraction of hits when true, their count when false (`normalize=`).
    pub normalize: bool,
    /// The classes of the score columns, sorted and unique (`labels=`); `None` = sorted labels
    /// of `y_true`.
    pub labels: Option<Vec<i64>>,
}

impl Default for TopKOptions {
    fn default() -> Self {
        TopKOptions {
            k: 2,
            normalize: true,
            labels: None,
        }
    }
}

impl TopKOptions {
    /// Sets `k`.
    pub fn with_k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }
}

/// The fraction (or, without `normalize`, the count) of samples whose true class is among the
/// `k` classes of highest score (`top_k_accuracy_score(y_true, y_score, k=…)`).
///
/// Multi-class (more than two classes in `y_true`, or more than two `labels`): `y_score[i]` has
/// one score per sorted class; ties are broken as scikit-learn's reversed stable argsort does,
/// the class of higher index ranking first. Binary: each row holds one score, that of the
/// larger class; with `k = 1` the prediction is `score > 0.5` when every score lies in
/// `[0, 1]`, else `score > 0`, and with `k ≥ 2` every sample is a hit. `k ≥ n_classes`
/// records [`UndefinedMetric::KNotBelowClasses`].
pub fn top_k_accuracy_score<R: AsRef<[f64]>>(
    y_true: &[i64],
    y_score: &[R],
    options: &TopKOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    let k = options.k;
    if k == 0 {
        return Err(MetricError::InvalidK { k });
    }
    let columns = check_matrix(y_true.len(), y_score)?;
    let present = sorted_unique(y_true);
    let binary = present.len() <= 2 && options.labels.as_ref().is_none_or(|l| l.len() <= 2);
    if binary && columns != 1 {
        return Err(MetricError::ScoreShape {
            what: format!(
                "`y_true` is binary while y_score is 2d with {columns} classes. If `y_true` \
                 does not contain all the labels, `labels` must be provided."
            ),
        });
    }
    let score_classes = if binary { 2 } else { columns };
    let classes = match &options.labels {
        Some(labels) => {
            check_ordered_labels(y_true, labels)?;
            labels.clone()
        }
        None => present,
    };
    if classes.len() != score_classes {
        return Err(MetricError::ClassCount {
            classes: classes.len(),
            columns: score_classes,
        });
    }
    if k >= classes.len() {
        warnings.push(UndefinedMetric::KNotBelowClasses {
            k,
            n_classes: classes.len(),
        });
    }
    let encoded = y_true
        .iter()
        .map(|t| classes.binary_search(t).expect("checked above"));
    let hits = if binary {
        let scores: Vec<f64> = y_score.iter().map(|r| r.as_ref()[0]).collect();
        if k == 1 {
            let unit = scores.iter().all(|s| (0.0..=1.0).contains(s));
            let threshold = if unit { 0.5 } else { 0.0 };
            encoded
                .zip(&scores)
                .filter(|(e, s)| usize::from(**s > threshold) == *e)
                .count()
        } else {
            y_true.len()
        }
    } else {
        encoded
            .zip(y_score)
            .filter(|(e, row)| {
                let row = row.as_ref();
                let mut order: Vec<usize> = (0..row.len()).collect();
                // Descending score, and among equal scores the higher class index first.
                order.sort_by(|&a, &b| {
                    row[b]
                        .partial_cmp(&row[a])
                        .unwrap_or(std::cmp::Ordering::Equal)
                        .then(b.cmp(&a))
                });
                order[..k.min(order.len())].contains(e)
            })
            .count()
    };
    Ok(if options.normalize {
        hits as f64 / y_true.len() as f64
    } else {
        hits as f64
    })
}
