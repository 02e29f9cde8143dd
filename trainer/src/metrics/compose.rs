//! Several metrics at once from logits and labels, for a Trainer's `compute_metrics`.

use kiln_tensor::DType;

use super::accuracy::accuracy_score;
use super::average_precision::average_precision_score;
use super::binary::{ScoreAverage, f1_score, precision_score, recall_score};
use super::error::{MetricError, check_matrix};
use super::log_loss::{LogLossOptions, log_loss};
use super::matthews::matthews_corrcoef;
use super::multiclass_auc::{MulticlassRocAucOptions, roc_auc_score_multiclass};
use super::prf::PrfOptions;
use super::roc_auc::roc_auc_score;
use super::top_k::{TopKOptions, top_k_accuracy_score};
use super::warnings::MetricWarnings;
use crate::training::state::Metrics;
use crate::training::trainer::{ComputeMetrics, EvalPrediction};

/// One metric of a [`MetricSet`], computed from the predicted class (`argmax` of the logits)
/// or from the probabilities (softmax of the logits; sigmoid of a single logit column).
#[derive(Clone, Debug, PartialEq)]
pub enum Metric {
    /// [`accuracy_score`] of the predicted classes; key `"accuracy"`.
    Accuracy,
    /// [`precision_score`] with this averaging; key `"precision"`.
    Precision(ScoreAverage),
    /// [`recall_score`] with this averaging; key `"recall"`.
    Recall(ScoreAverage),
    /// [`f1_score`] with this averaging; key `"f1"`.
    F1(ScoreAverage),
    /// [`matthews_corrcoef`] of the predicted classes; key `"matthews_correlation"`.
    MatthewsCorrcoef,
    /// ROC AUC of the probabilities: [`roc_auc_score`] of class 1's probability with two
    /// classes, else [`roc_auc_score_multiclass`] with these options; key `"roc_auc"`.
    RocAuc(MulticlassRocAucOptions),
    /// [`average_precision_score`] of class 1's probability (binary problems); key
    /// `"average_precision"`.
    AveragePrecision,
    /// [`log_loss`] of the probabilities over classes `0..C`; key `"log_loss"`.
    LogLoss,
    /// [`top_k_accuracy_score`] with this `k` over classes `0..C`; key `"top_k_accuracy"`.
    TopKAccuracy(usize),
}

impl Metric {
    /// The default key of this metric in the returned map (Hugging Face `evaluate`'s names).
    pub fn key(&self) -> &'static str {
        match self {
            Metric::Accuracy => "accuracy",
            Metric::Precision(_) => "precision",
            Metric::Recall(_) => "recall",
            Metric::F1(_) => "f1",
            Metric::MatthewsCorrcoef => "matthews_correlation",
            Metric::RocAuc(_) => "roc_auc",
            Metric::AveragePrecision => "average_precision",
            Metric::LogLoss => "log_loss",
            Metric::TopKAccuracy(_) => "top_k_accuracy",
        }
    }
}

/// A list of named metrics computed together from logits `[N, C]` and class-id labels `[N]`
/// into a `BTreeMap<String, f64>` (the shape of the Trainer's `Metrics`).
///
/// ```
/// use kiln_trainer::metrics::{Metric, MetricSet, MetricWarnings, ScoreAverage};
///
/// let set = MetricSet::new()
///     .with(Metric::Accuracy)
///     .with(Metric::F1(ScoreAverage::Macro));
/// let logits = [[2.0, 0.1], [0.3, 1.0], [1.5, -1.0]];
/// let mut warnings = MetricWarnings::new();
/// let m = set.compute_from_logits(&logits, &[0, 1, 1], &mut warnings).unwrap();
/// assert!((m["accuracy"] - 2.0 / 3.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricSet {
    metrics: Vec<(String, Metric)>,
}

/// `exp(x − max) / Σ exp(x − max)` per row, in f64.
fn softmax(row: &[f64]) -> Vec<f64> {
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = row.iter().map(|x| (x - max).exp()).collect();
    let sum: f64 = exps.iter().sum();
    exps.iter().map(|e| e / sum).collect()
}

/// The first index of the largest value (`np.argmax`).
fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate() {
        if v > row[best] {
            best = i;
        }
    }
    best
}

impl MetricSet {
    /// An empty set.
    pub fn new() -> Self {
        MetricSet::default()
    }

    /// Adds `metric` under its default key ([`Metric::key`]).
    pub fn with(self, metric: Metric) -> Self {
        let key = metric.key().to_string();
        self.with_named(key, metric)
    }

    /// Adds `metric` under `name` (e.g. `"f1_macro"` next to `"f1"`).
    pub fn with_named(mut self, name: impl Into<String>, metric: Metric) -> Self {
        self.metrics.push((name.into(), metric));
        self
    }

    /// Every metric of the set, from `logits` (one row of `C` class scores per sample; a
    /// single column is a binary logit) and `labels` (class ids in `0..C`, or 0/1 for a single
    /// column). Undefined-metric warnings of every metric go to `warnings`; the first error
    /// stops the computation.
    pub fn compute_from_logits<R: AsRef<[f64]>>(
        &self,
        logits: &[R],
        labels: &[i64],
        warnings: &mut MetricWarnings,
    ) -> Result<Metrics, MetricError> {
        let columns = check_matrix(labels.len(), logits)?;
        let (probs, preds): (Vec<Vec<f64>>, Vec<i64>) = if columns == 1 {
            logits
                .iter()
                .map(|r| {
                    let x = r.as_ref()[0];
                    let p = 1.0 / (1.0 + (-x).exp());
                    (vec![1.0 - p, p], i64::from(x > 0.0))
                })
                .unzip()
        } else {
            logits
                .iter()
                .map(|r| (softmax(r.as_ref()), argmax(r.as_ref()) as i64))
                .unzip()
        };
        let n_classes = probs[0].len();
        let classes: Vec<i64> = (0..n_classes as i64).collect();
        let positive: Vec<f64> = probs.iter().map(|p| p[1]).collect();
        let prf = PrfOptions::default();
        let mut out = Metrics::new();
        for (name, metric) in &self.metrics {
            let value = match metric {
                Metric::Accuracy => accuracy_score(labels, &preds)?,
                Metric::Precision(avg) => precision_score(labels, &preds, *avg, &prf, warnings)?,
                Metric::Recall(avg) => recall_score(labels, &preds, *avg, &prf, warnings)?,
                Metric::F1(avg) => f1_score(labels, &preds, *avg, &prf, warnings)?,
                Metric::MatthewsCorrcoef => matthews_corrcoef(labels, &preds)?,
                Metric::RocAuc(_) if n_classes == 2 => roc_auc_score(labels, &positive)?,
                Metric::RocAuc(options) => {
                    let options = MulticlassRocAucOptions {
                        labels: Some(options.labels.clone().unwrap_or(classes.clone())),
                        ..options.clone()
                    };
                    roc_auc_score_multiclass(labels, &probs, &options, warnings)?
                }
                Metric::AveragePrecision => {
                    average_precision_score(labels, &positive, 1, warnings)?
                }
                Metric::LogLoss => {
                    let options = LogLossOptions {
                        labels: Some(classes.clone()),
                        ..LogLossOptions::default()
                    };
                    log_loss(labels, &probs, &options, warnings)?
                }
                Metric::TopKAccuracy(k) => {
                    let options = TopKOptions {
                        k: *k,
                        normalize: true,
                        labels: Some(classes.clone()),
                    };
                    if n_classes == 2 {
                        let scores: Vec<[f64; 1]> = positive.iter().map(|&p| [p]).collect();
                        top_k_accuracy_score(labels, &scores, &options, warnings)?
                    } else {
                        top_k_accuracy_score(labels, &probs, &options, warnings)?
                    }
                }
            };
            out.insert(name.clone(), value);
        }
        Ok(out)
    }

    /// Every metric of the set from a Trainer evaluation (`EvalPrediction`): `predictions`
    /// as logits `[N, C]` (or `[N]` for one binary logit per sample), `label_ids` as class ids
    /// `[N]`. Errors with [`MetricError::MissingLabels`] when the model returned no labels.
    pub fn compute(
        &self,
        prediction: &EvalPrediction,
        warnings: &mut MetricWarnings,
    ) -> Result<Metrics, MetricError> {
        let labels = prediction
            .label_ids
            .as_ref()
            .ok_or(MetricError::MissingLabels)?;
        let labels: Vec<i64> = labels.to_dtype(DType::I64).to_vec::<i64>();
        let logits = &prediction.predictions;
        let columns = match logits.dims() {
            [_] => 1,
            [_, c] => *c,
            dims => {
                return Err(MetricError::ScoreShape {
                    what: format!("expected logits of shape [N] or [N, C], got {dims:?}"),
                });
            }
        };
        let flat: Vec<f64> = logits.to_dtype(DType::F64).to_vec::<f64>();
        let rows: Vec<&[f64]> = flat.chunks(columns.max(1)).collect();
        self.compute_from_logits(&rows, &labels, warnings)
    }

    /// A Trainer `compute_metrics` closure computing this set. A metric that cannot be
    /// computed (an error) is reported as NaN under its name; undefined-metric warnings are
    /// counted under `"undefined_metric_warnings"` when there are any.
    pub fn into_compute_metrics(self) -> ComputeMetrics {
        Box::new(move |prediction: &EvalPrediction| {
            let mut warnings = MetricWarnings::new();
            match self.compute(prediction, &mut warnings) {
                Ok(mut metrics) => {
                    if !warnings.is_empty() {
                        metrics.insert(
                            "undefined_metric_warnings".to_string(),
                            warnings.len() as f64,
                        );
                    }
                    metrics
                }
                Err(_) => self
                    .metrics
                    .iter()
                    .map(|(name, _)| (name.clone(), f64::NAN))
                    .collect(),
            }
        })
    }
}
