//! Logistic loss of predicted probabilities (`sklearn.metrics.log_loss`).

use super::error::{MetricError, check_matrix, sorted_unique};
use super::warnings::{MetricWarnings, UndefinedMetric};

/// Options of [`log_loss`]; defaults as scikit-learn 1.9 (`normalize=True`, labels from
/// `y_true`, float64 probabilities).
#[derive(Clone, Debug, PartialEq)]
pub struct LogLossOptions {
    /// Mean over samples when true, sum when false (`normalize=`).
    pub normalize: bool,
    /// The classes of the probability columns (`labels=`); they are sorted and deduplicated
    /// as scikit-learn's `LabelBinarizer` does. `None` = sorted labels of `y_true`.
    pub labels: Option<Vec<i64>>,
    /// Machine epsilon of the probabilities' dtype, `np.finfo(y_proba.dtype).eps`:
    /// probabilities are clipped to `[eps, 1 − eps]` and rows may miss 1 by `√eps` (relative)
    /// before a warning. Default `f64::EPSILON`; use `f32::EPSILON as f64` for float32 outputs.
    pub eps: f64,
}

impl Default for LogLossOptions {
    fn default() -> Self {
        LogLossOptions {
            normalize: true,
            labels: None,
            eps: f64::EPSILON,
        }
    }
}

/// The negative log-likelihood of `y_true` under `y_proba`
/// (`log_loss(y_true, y_proba, normalize=…, labels=…)`), in nats: `−Σᵢ log p̂ᵢ[yᵢ]`, divided
/// by the number of samples when `normalize`. `y_proba[i][c]` is the probability of the `c`-th
/// sorted class; rows of one column hold the positive-class probability of a binary problem
/// (`[1 − p, p]`). Probabilities are clipped to `[eps, 1 − eps]` first, so a zero
/// probability costs `−log eps` (≈ 36.04 in f64) instead of infinity.
///
/// Errors as scikit-learn: values outside `[0, 1]` or non-finite, a single known class, a
/// `y_true` label missing from `labels`, or a column count differing from the class count.
/// Rows that do not sum to 1 (within `√eps` relative, `1e-8` absolute) are scored as given
/// and recorded as [`UndefinedMetric::ProbabilitiesDoNotSumToOne`].
pub fn log_loss<R: AsRef<[f64]>>(
    y_true: &[i64],
    y_proba: &[R],
    options: &LogLossOptions,
    warnings: &mut MetricWarnings,
) -> Result<f64, MetricError> {
    let columns = check_matrix(y_true.len(), y_proba)?;
    let values = || y_proba.iter().flat_map(|r| r.as_ref().iter().copied());
    let max = values().fold(f64::NEG_INFINITY, f64::max);
    if max > 1.0 {
        return Err(MetricError::ProbabilityOutOfRange { value: max });
    }
    let min = values().fold(f64::INFINITY, f64::min);
    if min < 0.0 {
        return Err(MetricError::ProbabilityOutOfRange { value: min });
    }
    let classes = match &options.labels {
        Some(labels) => {
            let classes = sorted_unique(labels);
            if let Some(&label) = y_true.iter().find(|t| classes.binary_search(t).is_err()) {
                return Err(MetricError::UnknownLabel { label });
            }
            classes
        }
        None => sorted_unique(y_true),
    };
    if classes.len() == 1 {
        return Err(MetricError::SingleLabel { label: classes[0] });
    }
    let rows: Vec<Vec<f64>> = y_proba
        .iter()
        .map(|r| match r.as_ref() {
            [p] => vec![1.0 - p, *p],
            row => row.to_vec(),
        })
        .collect();
    let rtol = options.eps.sqrt();
    let normalized = rows.iter().all(|r| {
        let sum: f64 = r.iter().sum();
        (sum - 1.0).abs() <= 1e-8 + rtol
    });
    if !normalized {
        warnings.push(UndefinedMetric::ProbabilitiesDoNotSumToOne);
    }
    let width = rows[0].len();
    if classes.len() != width {
        return Err(MetricError::ClassCount {
            classes: classes.len(),
            columns,
        });
    }
    let eps = options.eps;
    let total: f64 = y_true
        .iter()
        .zip(&rows)
        .map(|(t, row)| {
            let c = classes.binary_search(t).expect("checked above");
            -row[c].clamp(eps, 1.0 - eps).ln()
        })
        .sum();
    Ok(if options.normalize {
        total / y_true.len() as f64
    } else {
        total
    })
}
