//! `DistilBertForSequenceClassification`: the first token's state through `pre_classifier`,
//! ReLU, dropout and `classifier` (transformers' `DistilBertForSequenceClassification`).

use std::path::Path;

use kiln_tensor::Tensor;

use crate::models::classification::SequenceClassifierOutput;
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::{init_bert_weights, linear};
use crate::models::input::EncoderInput;
use crate::models::pretrained::{self, LoadReport, PretrainedModel};
use crate::{Dropout, Forward, Linear, Module};

use super::config::DistilBertConfig;
use super::model::{DistilBertModel, init_distilbert};

/// DistilBERT with a classification head (`num_labels` outputs, loss by `problem_type`).
#[derive(Module)]
pub struct DistilBertForSequenceClassification {
    /// The encoder; saved under `distilbert.*`.
    pub distilbert: DistilBertModel,
    /// `[dim, dim]`, followed by ReLU.
    pub pre_classifier: Linear,
    /// `[num_labels, dim]`.
    pub classifier: Linear,
    /// `seq_classif_dropout`.
    pub dropout: Dropout,
}

impl DistilBertForSequenceClassification {
    /// A randomly initialised classifier.
    pub fn new(config: &DistilBertConfig) -> Self {
        let model = <Self as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads a Hugging Face folder; a base checkpoint gets a fresh head (see the report).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<Self, PretrainedError> {
        Ok(Self::from_pretrained_with_report(dir)?.0)
    }

    /// [`DistilBertForSequenceClassification::from_pretrained`] with the load report.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(Self, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Writes the folder (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture and labels.
    pub fn config(&self) -> &DistilBertConfig {
        self.distilbert.config()
    }

    /// Logits `[B, num_labels]` and, with `labels`, the loss; or why `input` does not fit.
    pub fn try_forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> Result<SequenceClassifierOutput, InputError> {
        let out = self.distilbert.try_forward(input)?;
        let first = out.last_hidden_state.select(1usize, 0);
        let pooled = self.pre_classifier.forward(&first).relu();
        let logits = self.classifier.forward(&self.dropout.forward(&pooled));
        SequenceClassifierOutput::new(
            logits,
            labels,
            self.config().classification.problem_type,
            out,
        )
    }

    /// [`DistilBertForSequenceClassification::try_forward`] that panics on unfit input.
    pub fn forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> SequenceClassifierOutput {
        self.try_forward(input, labels)
            .unwrap_or_else(|e| panic!("DistilBertForSequenceClassification.forward: {e}"))
    }
}

impl PretrainedModel for DistilBertForSequenceClassification {
    type Config = DistilBertConfig;
    const BASE_MODEL_PREFIX: &'static str = "distilbert";
    const ARCHITECTURE: &'static str = "DistilBertForSequenceClassification";

    fn parse_config(text: &str, source: &str) -> Result<DistilBertConfig, PretrainedError> {
        DistilBertConfig::from_json(text, source)
    }

    fn build(config: &DistilBertConfig) -> Self {
        DistilBertForSequenceClassification {
            distilbert: <DistilBertModel as PretrainedModel>::build(config),
            pre_classifier: linear(config.dim, config.dim),
            classifier: linear(config.dim, config.classification.num_labels()),
            dropout: Dropout::new(config.seq_classif_dropout),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        init_distilbert(&self.distilbert, "distilbert.", select);
        let std = self.config().initializer_range;
        for (prefix, layer) in [
            ("pre_classifier.", &self.pre_classifier),
            ("classifier.", &self.classifier),
        ] {
            let params = layer
                .named_parameters()
                .into_iter()
                .filter(|(n, _)| select(&format!("{prefix}{n}")));
            init_bert_weights(params, std);
        }
    }

    fn config(&self) -> &DistilBertConfig {
        self.distilbert.config()
    }

    fn parameter_count(config: &DistilBertConfig) -> Option<u128> {
        config.parameter_count(true)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("pre_classifier.") || name.starts_with("classifier.")
    }
}
