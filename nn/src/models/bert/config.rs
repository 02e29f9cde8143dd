//! `BertConfig`: the keys of a Hugging Face BERT `config.json` (transformers'
//! `BertConfig`, `model_type` `"bert"`), with its defaults.

use serde::{Deserialize, Serialize};

use crate::models::activation::HiddenAct;
use crate::models::classification::ClassificationConfig;
use crate::models::config_check::ConfigCheck;
use crate::models::error::PretrainedError;

/// The architecture of a BERT encoder, read from and written to `config.json`.
///
/// The five sizes (`vocab_size`, `hidden_size`, `num_hidden_layers`, `num_attention_heads`,
/// `intermediate_size`) are required when reading a file, so a config that lacks one is an
/// error naming it; every other key defaults to transformers' `BertConfig` default. Unknown
/// keys are ignored, as transformers keeps but does not use them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BertConfig {
    /// Rows of the word-embedding table (30522 for bert-base-uncased).
    pub vocab_size: usize,
    /// Width of every hidden state, `H`.
    pub hidden_size: usize,
    /// Number of encoder layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer; must divide `hidden_size`.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer inside each encoder layer.
    pub intermediate_size: usize,
    /// Feed-forward activation (`"gelu"`: exact erf GELU).
    #[serde(default)]
    pub hidden_act: HiddenAct,
    /// Dropout on embeddings and every sub-layer output.
    #[serde(default = "default_dropout")]
    pub hidden_dropout_prob: f64,
    /// Dropout on the attention probabilities.
    #[serde(default = "default_dropout")]
    pub attention_probs_dropout_prob: f64,
    /// Rows of the position-embedding table: the longest input the model takes.
    #[serde(default = "default_max_positions")]
    pub max_position_embeddings: usize,
    /// Rows of the token-type (segment) embedding table.
    #[serde(default = "default_type_vocab_size")]
    pub type_vocab_size: usize,
    /// Standard deviation of the normal initialisation of weights.
    #[serde(default = "default_initializer_range")]
    pub initializer_range: f64,
    /// Epsilon of every LayerNorm.
    #[serde(default = "default_layer_norm_eps")]
    pub layer_norm_eps: f64,
    /// Id of the padding token; its word embedding gets no gradient.
    #[serde(default)]
    pub pad_token_id: usize,
    /// Only `"absolute"` (learned positions) is supported.
    #[serde(default = "default_position_embedding_type")]
    pub position_embedding_type: String,
    /// Dropout before the classifier of `BertForSequenceClassification`; `None` uses
    /// `hidden_dropout_prob`.
    #[serde(default)]
    pub classifier_dropout: Option<f64>,
    /// What `BertForSequenceClassification` classifies: the pooler's `[CLS]` vector (`"cls"`,
    /// BERT's head) or the mask-aware mean of the last layer (`"mean"`, the seeds'
    /// `MeanPooling` head). The key and values are ModernBERT's `classifier_pooling`;
    /// transformers' BERT ignores the key, so a `"mean"` folder gives Kiln's outputs only in
    /// Kiln.
    #[serde(default, skip_serializing_if = "ClassifierPooling::is_cls")]
    pub classifier_pooling: ClassifierPooling,
    /// Labels and problem type for sequence classification.
    #[serde(flatten)]
    pub classification: ClassificationConfig,
    /// Always `"bert"`.
    #[serde(default = "default_model_type")]
    pub model_type: String,
    /// The model classes the checkpoint was saved from (`["BertModel"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub architectures: Vec<String>,
}

/// The sentence vector a sequence classifier reads (ModernBERT's `classifier_pooling`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassifierPooling {
    /// `tanh(dense(h[:, 0]))`, BERT's pooler.
    #[default]
    Cls,
    /// The mean of the last layer's states over the attention mask; the pooler is not built.
    Mean,
}

impl ClassifierPooling {
    fn is_cls(&self) -> bool {
        *self == ClassifierPooling::Cls
    }
}

fn default_dropout() -> f64 {
    0.1
}
fn default_max_positions() -> usize {
    512
}
fn default_type_vocab_size() -> usize {
    2
}
fn default_initializer_range() -> f64 {
    0.02
}
fn default_layer_norm_eps() -> f64 {
    1e-12
}
fn default_position_embedding_type() -> String {
    "absolute".into()
}
fn default_model_type() -> String {
    "bert".into()
}

impl BertConfig {
    /// A config with the given sizes and transformers' defaults for everything else
    /// (`BertConfig(vocab_size=…, hidden_size=…, …)`).
    pub fn new(
        vocab_size: usize,
        hidden_size: usize,
        num_hidden_layers: usize,
        num_attention_heads: usize,
        intermediate_size: usize,
    ) -> BertConfig {
        BertConfig {
            vocab_size,
            hidden_size,
            num_hidden_layers,
            num_attention_heads,
            intermediate_size,
            hidden_act: HiddenAct::default(),
            hidden_dropout_prob: default_dropout(),
            attention_probs_dropout_prob: default_dropout(),
            max_position_embeddings: default_max_positions(),
            type_vocab_size: default_type_vocab_size(),
            initializer_range: default_initializer_range(),
            layer_norm_eps: default_layer_norm_eps(),
            pad_token_id: 0,
            position_embedding_type: default_position_embedding_type(),
            classifier_dropout: None,
            classifier_pooling: ClassifierPooling::Cls,
            classification: ClassificationConfig::default(),
            model_type: default_model_type(),
            architectures: Vec::new(),
        }
    }

    /// bert-base-uncased's sizes: 12 layers, hidden 768, 12 heads, intermediate 3072.
    pub fn bert_base_uncased() -> BertConfig {
        BertConfig::new(30522, 768, 12, 12, 3072)
    }

    /// Width of one attention head, `hidden_size / num_attention_heads`.
    pub fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }

    /// Number of parameters of a `BertModel` with a pooler (and a classifier of
    /// `num_labels` when `with_classifier`) for this config; `None` if it overflows.
    pub fn parameter_count(&self, with_classifier: bool) -> Option<u128> {
        let [v, h, l, i, p, t, c] = [
            self.vocab_size,
            self.hidden_size,
            self.num_hidden_layers,
            self.intermediate_size,
            self.max_position_embeddings,
            self.type_vocab_size,
            self.classification.num_labels(),
        ]
        .map(|n| n as u128);
        let embeddings = (v.checked_add(p)?.checked_add(t)?).checked_mul(h)? + 2 * h;
        let attention = 4 * (h.checked_mul(h)? + h) + 2 * h;
        let feed_forward = 2 * h.checked_mul(i)? + i + h + 2 * h;
        let layers = l.checked_mul(attention.checked_add(feed_forward)?)?;
        let pooler = h * h + h;
        let classifier = if with_classifier { c * h + c } else { 0 };
        embeddings
            .checked_add(layers)?
            .checked_add(pooler)?
            .checked_add(classifier)
    }

    /// Reads `config.json` text; `source` names the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<BertConfig, PretrainedError> {
        let config: BertConfig =
            serde_json::from_str(text).map_err(|e| PretrainedError::Config {
                path: source.into(),
                message: e.to_string(),
            })?;
        config.validate(source)?;
        Ok(config)
    }

    /// Checks what serde cannot: sizes that are zero, heads that do not divide the hidden size,
    /// a `model_type` other than BERT's, an unsupported position embedding type.
    pub fn validate(&self, source: &str) -> Result<(), PretrainedError> {
        self.validate_as(source, "bert", "BertConfig")
    }

    /// [`BertConfig::validate`] for a config type `reader` that reads BERT's keys under
    /// another `model_type` (RoBERTa's).
    pub(crate) fn validate_as(
        &self,
        source: &str,
        model_type: &str,
        reader: &str,
    ) -> Result<(), PretrainedError> {
        let check = ConfigCheck::new(source);
        check.model_type(&self.model_type, model_type, reader)?;
        check.sizes(&[
            ("vocab_size", self.vocab_size),
            ("hidden_size", self.hidden_size),
            ("num_attention_heads", self.num_attention_heads),
            ("intermediate_size", self.intermediate_size),
            ("max_position_embeddings", self.max_position_embeddings),
            ("type_vocab_size", self.type_vocab_size),
        ])?;
        check.multiple_of(
            ("hidden_size", self.hidden_size),
            ("num_attention_heads", self.num_attention_heads),
        )?;
        check.only(
            "position_embedding_type",
            &self.position_embedding_type,
            "absolute",
        )?;
        check.below(
            ("pad_token_id", self.pad_token_id),
            ("vocab_size", self.vocab_size),
        )?;
        check.probabilities(&[
            ("hidden_dropout_prob", self.hidden_dropout_prob),
            (
                "attention_probs_dropout_prob",
                self.attention_probs_dropout_prob,
            ),
            ("classifier_dropout", self.classifier_dropout.unwrap_or(0.0)),
        ])?;
        self.classification.validate(source)
    }
}
