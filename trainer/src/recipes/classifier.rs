//! [`TextClassifier`]: anything that gives class probabilities for raw texts, and
//! [`Scores`]: how well it does on a labelled [`TextDataset`].

use std::time::Instant;

use super::error::RecipeError;
use super::text_data::TextDataset;
use crate::metrics::{Metric, MetricSet, MetricWarnings, MulticlassRocAucOptions, ScoreAverage};

/// A trained text classifier (TF-IDF + linear model, frozen embeddings + logistic
/// regression, a fine-tuned transformer).
pub trait TextClassifier {
    /// The name of every class, by class id.
    fn label_names(&self) -> &[String];

    /// The probability of every class for every text, `[texts][classes]`
    /// (`predict_proba`).
    fn predict_proba(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, RecipeError>;
}

/// Held-out scores of a classifier and its prediction speed.
#[derive(Clone, Debug, PartialEq)]
pub struct Scores {
    /// Accuracy in `[0, 1]`.
    pub accuracy: f64,
    /// ROC AUC: of class 1's probability with two classes, else one-vs-rest macro.
    pub roc_auc: f64,
    /// F1 of class 1 with two classes (`average='binary'`), else macro F1.
    pub f1: f64,
    /// Texts predicted per second.
    pub predict_per_second: f64,
}

/// Predicts every text of `data` and scores the predictions against its labels.
pub fn score(classifier: &dyn TextClassifier, data: &TextDataset) -> Result<Scores, RecipeError> {
    let start = Instant::now();
    let proba = classifier.predict_proba(&data.text_refs())?;
    let seconds = start.elapsed().as_secs_f64();
    let metrics = score_probabilities(&proba, &data.labels)?;
    Ok(Scores {
        accuracy: metrics.0,
        roc_auc: metrics.1,
        f1: metrics.2,
        predict_per_second: data.len() as f64 / seconds.max(1e-9),
    })
}

/// Accuracy, ROC AUC and F1 of `proba` against `labels`.
fn score_probabilities(proba: &[Vec<f32>], labels: &[i64]) -> Result<(f64, f64, f64), RecipeError> {
    let classes = proba.first().map_or(0, Vec::len);
    let f1 = if classes == 2 {
        ScoreAverage::Binary { pos_label: 1 }
    } else {
        ScoreAverage::Macro
    };
    let set = MetricSet::new()
        .with(Metric::Accuracy)
        .with(Metric::RocAuc(MulticlassRocAucOptions::default()))
        .with(Metric::F1(f1));
    // Log-probabilities are logits whose softmax is the probabilities themselves.
    let logits: Vec<Vec<f64>> = proba
        .iter()
        .map(|row| row.iter().map(|&p| f64::from(p.max(1e-30)).ln()).collect())
        .collect();
    let mut warnings = MetricWarnings::default();
    let metrics = set
        .compute_from_logits(&logits, labels, &mut warnings)
        .map_err(|e| RecipeError::run(format!("scoring the predictions: {e}")))?;
    Ok((metrics["accuracy"], metrics["roc_auc"], metrics["f1"]))
}

/// The index of the largest probability (ties to the lower index, as `np.argmax`).
pub fn argmax(row: &[f32]) -> usize {
    let mut best = 0;
    for (i, &p) in row.iter().enumerate() {
        if p > row[best] {
            best = i;
        }
    }
    best
}

/// The rows of a `[texts, classes]` probability tensor, as `predict_proba` returns them.
pub(crate) fn probability_rows(proba: &kiln_tensor::Tensor) -> Vec<Vec<f32>> {
    let classes = proba.dims()[1];
    proba
        .to_vec::<f32>()
        .chunks_exact(classes)
        .map(<[f32]>::to_vec)
        .collect()
}
