//! `DistilBertConfig`: the keys of a Hugging Face DistilBERT `config.json` (transformers'
//! `DistilBertConfig`, `model_type` `"distilbert"`), with its defaults.

use serde::{Deserialize, Serialize};

use crate::models::activation::HiddenAct;
use crate::models::classification::ClassificationConfig;
use crate::models::config_check::ConfigCheck;
use crate::models::error::PretrainedError;

/// The architecture of a DistilBERT encoder. `vocab_size`, `dim`, `n_layers`, `n_heads` and
/// `hidden_dim` are required when reading a file; the rest default as in transformers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistilBertConfig {
    /// Rows of the word-embedding table.
    pub vocab_size: usize,
    /// Width of every hidden state (BERT's `hidden_size`).
    pub dim: usize,
    /// Number of transformer blocks.
    pub n_layers: usize,
    /// Attention heads per block; must divide `dim`.
    pub n_heads: usize,
    /// Width of the feed-forward layer (BERT's `intermediate_size`).
    pub hidden_dim: usize,
    /// Rows of the position-embedding table.
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    /// Fixed sinusoidal position embeddings instead of learned ones (at initialisation).
    #[serde(default)]
    pub sinusoidal_pos_embds: bool,
    /// Dropout on embeddings and the feed-forward output.
    #[serde(default = "default_dropout")]
    pub dropout: f64,
    /// Dropout on the attention probabilities.
    #[serde(default = "default_dropout")]
    pub attention_dropout: f64,
    /// Feed-forward activation.
    #[serde(default)]
    pub activation: HiddenAct,
    /// Standard deviation of the normal initialisation.
    #[serde(default = "default_initializer_range")]
    pub initializer_range: f64,
    /// Dropout before the classifier of `DistilBertForSequenceClassification`.
    #[serde(default = "default_seq_classif_dropout")]
    pub seq_classif_dropout: f64,
    /// Id of the padding token.
    #[serde(default)]
    pub pad_token_id: usize,
    /// Labels and problem type for sequence classification.
    #[serde(flatten)]
    pub classification: ClassificationConfig,
    /// Always `"distilbert"`.
    #[serde(default = "default_model_type")]
    pub model_type: String,
    /// The model classes the checkpoint was saved from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub architectures: Vec<String>,
}

/// DistilBERT's LayerNorm epsilon (fixed in transformers, not a config key).
pub const DISTILBERT_LAYER_NORM_EPS: f64 = 1e-12;

fn default_max_positions() -> usize {
    512
}
fn default_dropout() -> f64 {
    0.1
}
fn default_initializer_range() -> f64 {
    0.02
}
fn default_seq_classif_dropout() -> f64 {
    0.2
}
fn default_model_type() -> String {
    "distilbert".into()
}

impl DistilBertConfig {
    /// A config with the given sizes and transformers' defaults for the rest.
    pub fn new(
        vocab_size: usize,
        dim: usize,
        n_layers: usize,
        n_heads: usize,
        hidden_dim: usize,
    ) -> DistilBertConfig {
        DistilBertConfig {
            vocab_size,
            dim,
            n_layers,
            n_heads,
            hidden_dim,
            max_position_embeddings: default_max_positions(),
            sinusoidal_pos_embds: false,
            dropout: default_dropout(),
            attention_dropout: default_dropout(),
            activation: HiddenAct::default(),
            initializer_range: default_initializer_range(),
            seq_classif_dropout: default_seq_classif_dropout(),
            pad_token_id: 0,
            classification: ClassificationConfig::default(),
            model_type: default_model_type(),
            architectures: Vec::new(),
        }
    }

    /// Number of parameters of a `DistilBertModel` (plus `pre_classifier` and a classifier of
    /// `num_labels` when `with_classifier`) for this config; `None` if it overflows.
    pub fn parameter_count(&self, with_classifier: bool) -> Option<u128> {
        let [v, d, l, f, p, c] = [
            self.vocab_size,
            self.dim,
            self.n_layers,
            self.hidden_dim,
            self.max_position_embeddings,
            self.classification.num_labels(),
        ]
        .map(|n| n as u128);
        let embeddings = v.checked_add(p)?.checked_mul(d)? + 2 * d;
        let layer = 4 * (d.checked_mul(d)? + d) + 2 * d.checked_mul(f)? + f + d + 4 * d;
        let layers = l.checked_mul(layer)?;
        let head = if with_classifier {
            d * d + d + c * d + c
        } else {
            0
        };
        embeddings.checked_add(layers)?.checked_add(head)
    }

    /// Reads `config.json` text; `source` names the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<DistilBertConfig, PretrainedError> {
        let config: DistilBertConfig =
            serde_json::from_str(text).map_err(|e| PretrainedError::Config {
                path: source.into(),
                message: e.to_string(),
            })?;
        config.validate(source)?;
        Ok(config)
    }

    /// Checks sizes, heads, `model_type`, `pad_token_id` and dropout probabilities.
    pub fn validate(&self, source: &str) -> Result<(), PretrainedError> {
        let check = ConfigCheck::new(source);
        check.model_type(&self.model_type, "distilbert", "DistilBertConfig")?;
        check.sizes(&[
            ("vocab_size", self.vocab_size),
            ("dim", self.dim),
            ("n_heads", self.n_heads),
            ("hidden_dim", self.hidden_dim),
            ("max_position_embeddings", self.max_position_embeddings),
        ])?;
        check.multiple_of(("dim", self.dim), ("n_heads", self.n_heads))?;
        check.below(
            ("pad_token_id", self.pad_token_id),
            ("vocab_size", self.vocab_size),
        )?;
        check.probabilities(&[
            ("dropout", self.dropout),
            ("attention_dropout", self.attention_dropout),
            ("seq_classif_dropout", self.seq_classif_dropout),
        ])?;
        self.classification.validate(source)
    }
}
