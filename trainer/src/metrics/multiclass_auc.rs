//! Multi-class ROC AUC from a probability matrix, one-vs-rest and one-vs-one
//! (`roc_auc_score(y_true, y_score, multi_class='ovr' | 'ovo')`).

use super::error::{MetricError, check_matrix, check_ordered_labels, sorted_unique};
use super::roc_curve::{binary_roc_curve, trapezoid};
use super::warnings::{MetricWarnings, UndefinedMetric};

/// How a multi-class problem is split into binary ones (scikit-learn's `multi_class=`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MultiClass {
    /// Each class against the rest (`'ovr'`).
    Ovr,
    /// Each pair of classes (`'ovo'`), Hand & Till (2001): a pair's score is the mean of the
    /// two AUCs with either class positive, on the samples of the pair only.
    Ovo,
}

/// How the binary AUCs are averaged (scikit-learn's `average=`, default `'macro'`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AucAverage {
    /// Unweighted mean over classes (`ovr`) or class pairs (`ovo`).
    #[default]
    Macro,
    /// Mean weighted by class prevalence (`ovr`: the support of each class; `ovo`: the share
    /// of samples belonging to the pair).
    Weighted,
    /// One AUC of the flattened one-hot labels against the flattened scores (`ovr` only).
    Micro,
}

/// Options of [`roc_auc_score_multiclass`]; defaults as scikit-learn (`average='macro'`,
/// labels from `y_true`), with `multi_class='ovr'` (scikit-learn's default `'raise'` makes
/// the caller choose).
#[derive(Clone, Debug, PartialEq)]
pub struct MulticlassRocAucOptions {
    /// One-vs-rest or one-vs-one (`multi_class=`).
    pub multi_class: MultiClass,
    /// Averaging (`average=`).
    pub average: AucAverage,
    /// The classes of the score columns, sorted (`labels=`); `None` = sorted labels of
    /// `y_true`, which must then number the columns.
    pub labels: Option<Vec<i64>>,
}

impl Default for MulticlassRocAucOptions {
    fn default() -> Self {
        MulticlassRocAucOptions {
            multi_class: MultiClass::Ovr,
            average: AucAverage::Macro,
            labels: None,
        }
    }
}

/// The binary ROC AUC of a `positive` mask, NaN (with a warning) when it holds one class
/// (`_binary_roc_auc_score`).
fn binary_auc(positive: &[bool], score: &[f64], warnings: &mut MetricWarnings) -> f64 {
    let any_pos = positive.iter().any(|&p| p);
    let any_neg = positive.iter().any(|&p| !p);
    if !(any_pos && any_neg) {
        warnings.push(UndefinedMetric::SingleClassRocAuc);
        return f64::NAN;
    }
    let curve = binary_roc_curve(positive, score, true, warnings);
    trapezoid(&curve.fpr, &curve.tpr)
}

/// The area under the ROC curve of a multi-class problem (`roc_auc_score(y_true, y_score,
/// multi_class=…, average=…, labels=…)`), in `[0, 1]`. `y_score[i][c]` is the probability that
/// sample `i` belongs to the `c`-th class (sorted labels); each row must sum to 1 within
/// `np.allclose`'s tolerance (`|1 − Σ| ≤ 1e-8 + 1e-5·|Σ|`). `y_true` must have more than two
/// classes or the matrix more than two columns (binary problems use
/// [`roc_auc_score`](super::roc_auc_score)).
///
/// One-vs-rest with a class absent from `y_true` (possible with `labels`) gives that class a
/// NaN AUC and a [`UndefinedMetric::SingleClassRocAuc`] warning, so the macro average is NaN and
/// the weighted one ignores it, as in scikit-learn. One-vs-one pairs only the classes present.
pub fn roc_auc_score_multiclass<R: AsRef<[f64]>>(
    y_true: &[i64],
    y_score: &[R],
    options: &MulticlassRocAucOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    let columns = check_matrix(y_true.len(), y_score)?;
    let present = sorted_unique(y_true);
    if present.len() <= 2 && columns <= 2 {
        return Err(MetricError::ScoreShape {
            what: format!(
                "multi-class ROC AUC needs more than two classes or score columns, got {} \
                 classes and {columns} columns; use roc_auc_score for binary problems",
                present.len()
            ),
        });
    }
    for (row, values) in y_score.iter().enumerate() {
        let sum: f64 = values.as_ref().iter().sum();
        if (1.0 - sum).abs() > 1e-8 + 1e-5 * sum.abs() {
            return Err(MetricError::NotProbabilities { row, sum });
        }
    }
    if options.multi_class == MultiClass::Ovo && options.average == AucAverage::Micro {
        return Err(MetricError::UnsupportedAverage {
            what: "average='micro' with multi_class='ovo'",
        });
    }
    let classes = match &options.labels {
        Some(labels) => {
            check_ordered_labels(y_true, labels)?;
            labels.clone()
        }
        None => present,
    };
    if classes.len() != columns {
        return Err(MetricError::ClassCount {
            classes: classes.len(),
            columns,
        });
    }
    let encoded: Vec<usize> = y_true
        .iter()
        .map(|t| classes.binary_search(t).expect("checked above"))
        .collect();
    let column = |c: usize, rows: &[usize]| -> Vec<f64> {
        rows.iter().map(|&i| y_score[i].as_ref()[c]).collect()
    };
    let n = y_true.len();
    let all: Vec<usize> = (0..n).collect();
    match options.multi_class {
        MultiClass::Ovr => match options.average {
            AucAverage::Micro => {
                let mut positive = Vec::with_capacity(n * columns);
                let mut scores = Vec::with_capacity(n * columns);
                for (i, &e) in encoded.iter().enumerate() {
                    for c in 0..columns {
                        positive.push(e == c);
                        scores.push(y_score[i].as_ref()[c]);
                    }
                }
                Ok(binary_auc(&positive, &scores, warnings))
            }
            average => {
                let mut scores = Vec::with_capacity(columns);
                let mut support = Vec::with_capacity(columns);
                for c in 0..columns {
                    let positive: Vec<bool> = encoded.iter().map(|&e| e == c).collect();
                    support.push(positive.iter().filter(|&&p| p).count() as f64);
                    scores.push(binary_auc(&positive, &column(c, &all), warnings));
                }
                if average == AucAverage::Macro {
                    return Ok(scores.iter().sum::<f64>() / columns as f64);
                }
                // Classes without support score 0 and weigh 0 (`score[average_weight == 0] = 0`).
                let total: f64 = support.iter().sum();
                let weighted: f64 = scores
                    .iter()
                    .zip(&support)
                    .map(|(&s, &w)| if w == 0.0 { 0.0 } else { s * w })
                    .sum();
                Ok(weighted / total)
            }
        },
        MultiClass::Ovo => {
            let present = sorted_unique(&encoded.iter().map(|&e| e as i64).collect::<Vec<_>>());
            let mut pair_scores = Vec::new();
            let mut prevalence = Vec::new();
            for (ia, &a) in present.iter().enumerate() {
                for &b in &present[ia + 1..] {
                    let (a, b) = (a as usize, b as usize);
                    let rows: Vec<usize> = (0..n)
                        .filter(|&i| encoded[i] == a || encoded[i] == b)
                        .collect();
                    prevalence.push(rows.len() as f64 / n as f64);
                    let a_true: Vec<bool> = rows.iter().map(|&i| encoded[i] == a).collect();
                    let b_true: Vec<bool> = rows.iter().map(|&i| encoded[i] == b).collect();
                    let a_score = binary_auc(&a_true, &column(a, &rows), warnings);
                    let b_score = binary_auc(&b_true, &column(b, &rows), warnings);
                    pair_scores.push((a_score + b_score) / 2.0);
                }
            }
            Ok(match options.average {
                AucAverage::Weighted => {
                    let num: f64 = pair_scores
                        .iter()
                        .zip(&prevalence)
                        .map(|(s, w)| s * w)
                        .sum();
                    num / prevalence.iter().sum::<f64>()
                }
                _ => pair_scores.iter().sum::<f64>() / pair_scores.len() as f64,
            })
        }
    }
}
