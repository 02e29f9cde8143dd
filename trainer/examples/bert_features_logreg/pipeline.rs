//! The seeds' Approach 2 as reusable steps: a balanced IMDB sample, frozen MiniLM sentence
//! embeddings (mean pooling + L2 normalisation) and scikit-learn's `LogisticRegression` on
//! them. Shared by the `bert_features_logreg` example and its test.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use kiln_nn::models::BertModel;
use kiln_text::Tokenizer;
use kiln_trainer::classic::LogisticRegression;
use kiln_trainer::metrics::{accuracy_score, roc_auc_score};

use crate::minilm_imdb::{self, Sample};

/// Run settings.
pub struct Settings {
    /// Training reviews (half of each class).
    pub n_train: usize,
    /// Held-out reviews (half of each class).
    pub n_test: usize,
    /// Word pieces kept per review, `[CLS]` and `[SEP]` included.
    pub max_length: usize,
    /// Reviews per encoder forward.
    pub batch_size: usize,
    /// Seed of the sample.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            n_train: 2000,
            n_test: 1000,
            max_length: 128,
            batch_size: 32,
            seed: 42,
        }
    }
}

/// What the held-out evaluation found.
pub struct Evaluation {
    /// Training reviews.
    pub n_train: usize,
    /// Held-out reviews.
    pub n_test: usize,
    /// Embedding width.
    pub n_features: usize,
    /// Share of reviews truncated at `max_length`.
    pub truncated: f64,
    /// Seconds spent tokenizing and encoding both parts.
    pub encode_seconds: f64,
    /// Seconds spent fitting the logistic regression.
    pub fit_seconds: f64,
    /// L-BFGS iterations, and whether it converged within `max_iter`.
    pub n_iter: usize,
    /// See `n_iter`.
    pub converged: bool,
    /// Training accuracy in `[0, 1]`.
    pub train_accuracy: f64,
    /// Held-out accuracy in `[0, 1]`.
    pub accuracy: f64,
    /// Held-out ROC AUC of P(positive).
    pub roc_auc: f64,
}

/// Embeds `sample` with the MiniLM in `dir`, fits `LogisticRegression()` on the training
/// embeddings and evaluates it on the held-out ones.
pub fn run(dir: &Path, sample: &Sample, settings: &Settings) -> Result<Evaluation, Box<dyn Error>> {
    let tokenizer = Tokenizer::from_pretrained(dir)?;
    let model = BertModel::from_pretrained(dir)?.without_pooler();
    let start = Instant::now();
    let train_ids = minilm_imdb::tokenize(&tokenizer, &sample.train_texts, settings.max_length)?;
    let test_ids = minilm_imdb::tokenize(&tokenizer, &sample.test_texts, settings.max_length)?;
    let x_train = minilm_imdb::mean_pooled_embeddings(&model, &train_ids, settings.batch_size);
    let x_test = minilm_imdb::mean_pooled_embeddings(&model, &test_ids, settings.batch_size);
    let encode_seconds = start.elapsed().as_secs_f64();
    let truncated = train_ids
        .iter()
        .chain(&test_ids)
        .filter(|ids| ids.len() == settings.max_length)
        .count() as f64
        / (train_ids.len() + test_ids.len()) as f64;

    let start = Instant::now();
    let mut classifier = LogisticRegression::new();
    classifier.fit(&x_train, &sample.train_labels)?;
    let fit_seconds = start.elapsed().as_secs_f64();

    let p_positive: Vec<f64> = classifier
        .predict_proba(&x_test)
        .to_vec::<f64>()
        .chunks_exact(2)
        .map(|p| p[1])
        .collect();
    Ok(Evaluation {
        n_train: sample.train_texts.len(),
        n_test: sample.test_texts.len(),
        n_features: x_train.dims()[1],
        truncated,
        encode_seconds,
        fit_seconds,
        n_iter: classifier.n_iter(),
        converged: classifier.converged(),
        train_accuracy: accuracy_score(&sample.train_labels, &classifier.predict(&x_train))?,
        accuracy: accuracy_score(&sample.test_labels, &classifier.predict(&x_test))?,
        roc_auc: roc_auc_score(&sample.test_labels, &p_positive)?,
    })
}
