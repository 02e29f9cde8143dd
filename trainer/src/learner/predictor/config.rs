//! [`PredictorConfig`]: the `predictor.json` of a saved predictor (what ktrain keeps in its
//! `tf_model.preproc` pickle: class names, `maxlen`, preprocessing).

use serde::{Deserialize, Serialize};

/// The file that holds a [`PredictorConfig`].
pub const PREDICTOR_FILE: &str = "predictor.json";

/// The version written to `predictor.json`; a file of another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// How raw strings become model inputs and outputs become labels, saved as
/// `predictor.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PredictorConfig {
    /// The file format's version ([`FORMAT_VERSION`]).
    pub format_version: u32,
    /// The name of every class, by class index (ktrain's `class_names`); as many as the
    /// classifier's `num_labels`.
    pub label_names: Vec<String>,
    /// Tokens per text at most, `[CLS]` and `[SEP]` included; longer texts are truncated
    /// (ktrain's `maxlen`, `tokenizer(…, truncation=True, max_length=…)`).
    pub max_length: usize,
    /// Lowercase every text (Unicode `to_lowercase`) before the tokenizer sees it; for
    /// tokenizers without a lowercasing normalizer (an uncased BERT tokenizer lowercases by
    /// itself).
    #[serde(default)]
    pub lowercase: bool,
    /// Texts per forward pass in `predict` (default 32).
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
}

fn default_batch_size() -> usize {
    32
}

impl PredictorConfig {
    /// Label names and `max_length`, no lowercasing, batches of 32.
    pub fn new(label_names: Vec<String>, max_length: usize) -> Self {
        PredictorConfig {
            format_version: FORMAT_VERSION,
            label_names,
            max_length,
            lowercase: false,
            batch_size: default_batch_size(),
        }
    }

    /// Sets `lowercase`.
    pub fn with_lowercase(mut self, lowercase: bool) -> Self {
        self.lowercase = lowercase;
        self
    }

    /// Sets `batch_size`.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }
}
