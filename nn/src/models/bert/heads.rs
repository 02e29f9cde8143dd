//! `BertForSequenceClassification`: BERT, dropout and a linear classifier on the pooled output
//! (transformers' `modeling_bert.BertForSequenceClassification`), or on the mask-aware mean
//! of the last layer with `classifier_pooling = "mean"`.

use std::path::Path;

use kiln_tensor::Tensor;

use crate::models::classification::SequenceClassifierOutput;
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::{init_bert_weights, linear};
use crate::models::input::EncoderInput;
use crate::models::pretrained::{self, LoadReport, PretrainedModel};
use crate::models::transfer::mean_pooled_features;
use crate::{Dropout, Forward, Linear, Module};

use super::{BertConfig, BertModel, ClassifierPooling};

/// BERT with a classification head: `classifier(dropout(pooler_output))` (or of the masked
/// mean of the last layer when the config's `classifier_pooling` is `"mean"`), `num_labels`
/// outputs (the length of the config's `id2label`), and the loss of its `problem_type`.
#[derive(Module)]
pub struct BertForSequenceClassification {
    /// The encoder, with its pooler unless `classifier_pooling` is `"mean"`; saved under
    /// `bert.*`.
    pub bert: BertModel,
    /// `classifier_dropout`, or `hidden_dropout_prob` when unset.
    pub dropout: Dropout,
    /// `[num_labels, H]`.
    pub classifier: Linear,
}

impl BertForSequenceClassification {
    /// A randomly initialised classifier (`BertForSequenceClassification(config)`).
    pub fn new(config: &BertConfig) -> BertForSequenceClassification {
        let model = <Self as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads a Hugging Face folder; a base-model checkpoint (MiniLM, `bert-base-uncased`)
    /// gets a freshly initialised classifier, listed in the report.
    pub fn from_pretrained(
        dir: impl AsRef<Path>,
    ) -> Result<BertForSequenceClassification, PretrainedError> {
        Ok(Self::from_pretrained_with_report(dir)?.0)
    }

    /// [`BertForSequenceClassification::from_pretrained`] with the load report.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(BertForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Loads a folder with `num_labels` classes regardless of its config's labels
    /// (`from_pretrained(dir, num_labels=n)`).
    pub fn from_pretrained_with_num_labels(
        dir: impl AsRef<Path>,
        num_labels: usize,
    ) -> Result<(BertForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained_with(dir.as_ref(), |config: &mut BertConfig| {
            config.classification =
                crate::models::ClassificationConfig::with_num_labels(num_labels)
                    .with_problem_type(config.classification.problem_type);
        })
    }

    /// Writes the folder (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture and labels.
    pub fn config(&self) -> &BertConfig {
        self.bert.config()
    }

    /// Logits `[B, num_labels]` and, with `labels`, the loss; or why `input` does not fit.
    pub fn try_forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> Result<SequenceClassifierOutput, InputError> {
        let out = self.bert.try_forward(input)?;
        let pooled = match self.config().classifier_pooling {
            ClassifierPooling::Cls => out
                .pooler_output
                .clone()
                .expect("a cls-pooling classifier has a pooler"),
            ClassifierPooling::Mean => match &input.attention_mask {
                Some(mask) => mean_pooled_features(&out, mask),
                None => out.last_hidden_state.mean_dim(&[1], false),
            },
        };
        let logits = self.classifier.forward(&self.dropout.forward(&pooled));
        SequenceClassifierOutput::new(
            logits,
            labels,
            self.config().classification.problem_type,
            out,
        )
    }

    /// [`BertForSequenceClassification::try_forward`] that panics on unfit input.
    pub fn forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> SequenceClassifierOutput {
        self.try_forward(input, labels)
            .unwrap_or_else(|e| panic!("BertForSequenceClassification.forward: {e}"))
    }
}

impl PretrainedModel for BertForSequenceClassification {
    type Config = BertConfig;
    const BASE_MODEL_PREFIX: &'static str = "bert";
    const ARCHITECTURE: &'static str = "BertForSequenceClassification";

    fn parse_config(text: &str, source: &str) -> Result<BertConfig, PretrainedError> {
        BertConfig::from_json(text, source)
    }

    fn build(config: &BertConfig) -> Self {
        let p = config
            .classifier_dropout
            .unwrap_or(config.hidden_dropout_prob);
        let bert = <BertModel as PretrainedModel>::build(config);
        let bert = match config.classifier_pooling {
            ClassifierPooling::Cls => bert,
            ClassifierPooling::Mean => bert.without_pooler(),
        };
        BertForSequenceClassification {
            bert,
            dropout: Dropout::new(p),
            classifier: linear(config.hidden_size, config.classification.num_labels()),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        let params = self
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| select(n));
        init_bert_weights(params, self.config().initializer_range);
        if select("bert.embeddings.word_embeddings.weight") {
            self.bert.embeddings.word_embeddings.zero_padding_row();
        }
    }

    fn config(&self) -> &BertConfig {
        self.bert.config()
    }

    fn parameter_count(config: &BertConfig) -> Option<u128> {
        config.parameter_count(true)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("classifier.") || name.starts_with("bert.pooler.")
    }

    fn may_be_unused(name: &str) -> bool {
        name.starts_with("bert.pooler.")
    }
}
