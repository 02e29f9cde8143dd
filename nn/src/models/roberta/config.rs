//! `RobertaConfig`: a RoBERTa `config.json` (transformers' `RobertaConfig`, `model_type`
//! `"roberta"`). Its keys are BERT's, so it wraps a [`BertConfig`]; only the defaults
//! (`pad_token_id` 1) and the checks differ.

use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::models::bert::{BertConfig, ClassifierPooling};
use crate::models::error::PretrainedError;

/// The architecture of a RoBERTa encoder: BERT's keys under `model_type` `"roberta"`
/// (transformers' `RobertaConfig`, whose attributes are `BertConfig`'s).
///
/// Read through [`RobertaConfig::from_json`] (as `from_pretrained` does), a missing
/// `pad_token_id` is 1 and a missing `model_type` is `"roberta"`, as in transformers; plain
/// serde reads and writes the same JSON as [`BertConfig`]. Derefs to the [`BertConfig`] for
/// its fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RobertaConfig {
    /// The keys, with `model_type` `"roberta"`.
    pub bert: BertConfig,
}

/// RoBERTa's `pad_token_id` when the config omits it (transformers' default).
const DEFAULT_PAD_TOKEN_ID: usize = 1;

impl Deref for RobertaConfig {
    type Target = BertConfig;
    fn deref(&self) -> &BertConfig {
        &self.bert
    }
}

impl RobertaConfig {
    /// A config with the given sizes and transformers' `RobertaConfig` defaults for the rest
    /// (`pad_token_id` 1, 512 positions, 2 token types, LayerNorm epsilon 1e-12).
    pub fn new(
        vocab_size: usize,
        hidden_size: usize,
        num_hidden_layers: usize,
        num_attention_heads: usize,
        intermediate_size: usize,
    ) -> RobertaConfig {
        let mut bert = BertConfig::new(
            vocab_size,
            hidden_size,
            num_hidden_layers,
            num_attention_heads,
            intermediate_size,
        );
        bert.pad_token_id = DEFAULT_PAD_TOKEN_ID;
        bert.model_type = "roberta".into();
        RobertaConfig { bert }
    }

    /// roberta-base's sizes: vocabulary 50265, 12 layers, hidden 768, 12 heads, intermediate
    /// 3072, 514 positions, one token type, LayerNorm epsilon 1e-5.
    pub fn roberta_base() -> RobertaConfig {
        let mut config = RobertaConfig::new(50265, 768, 12, 12, 3072);
        config.bert.max_position_embeddings = 514;
        config.bert.type_vocab_size = 1;
        config.bert.layer_norm_eps = 1e-5;
        config
    }

    /// The padding id, which is also the `padding_idx` of the position table
    /// (transformers' `RobertaEmbeddings.padding_idx`).
    pub fn padding_idx(&self) -> usize {
        self.bert.pad_token_id
    }

    /// The longest input: positions run from `padding_idx + 1` to
    /// `max_position_embeddings - 1`.
    pub fn max_sequence_length(&self) -> usize {
        self.bert
            .max_position_embeddings
            .saturating_sub(self.padding_idx() + 1)
    }

    /// Reads `config.json` text; `source` names the file in errors.
    pub fn from_json(text: &str, source: &str) -> Result<RobertaConfig, PretrainedError> {
        let invalid = |message: String| PretrainedError::Config {
            path: source.into(),
            message,
        };
        let mut value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let object = value
            .as_object_mut()
            .ok_or_else(|| invalid("the config is not a JSON object".into()))?;
        object
            .entry("pad_token_id")
            .or_insert(DEFAULT_PAD_TOKEN_ID.into());
        object.entry("model_type").or_insert("roberta".into());
        let config: RobertaConfig =
            serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
        config.validate(source)?;
        Ok(config)
    }

    /// BERT's checks under `model_type` `"roberta"`, and: the position table has room for a
    /// token after the padding index; `classifier_pooling` (a Kiln key for BERT) is unset.
    pub fn validate(&self, source: &str) -> Result<(), PretrainedError> {
        self.bert.validate_as(source, "roberta", "RobertaConfig")?;
        let invalid = |message: String| {
            Err(PretrainedError::Config {
                path: source.into(),
                message,
            })
        };
        if self.max_sequence_length() == 0 {
            return invalid(format!(
                "max_position_embeddings {} leaves no position after pad_token_id {} \
                 (RoBERTa's positions start at pad_token_id + 1)",
                self.bert.max_position_embeddings, self.bert.pad_token_id
            ));
        }
        if self.bert.classifier_pooling != ClassifierPooling::Cls {
            return invalid(
                "classifier_pooling is not supported by RoBERTa (its head reads <s>)".into(),
            );
        }
        Ok(())
    }
}
