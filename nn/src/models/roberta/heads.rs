//! `RobertaClassificationHead` and `RobertaForSequenceClassification`: RoBERTa without a
//! pooler, then dropout, dense, tanh, dropout and a projection of the `<s>` token's state
//! (transformers' `modeling_roberta.RobertaClassificationHead` and
//! `RobertaForSequenceClassification`), with BERT's `problem_type` rules for the loss.

use std::path::Path;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::classification::{ClassificationConfig, SequenceClassifierOutput};
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::{init_bert_weights, linear};
use crate::models::input::EncoderInput;
use crate::models::pretrained::{self, LoadReport, PretrainedModel};
use crate::{Dropout, Forward, Linear, Module};

use super::{RobertaConfig, RobertaModel};

/// `out_proj(dropout(tanh(dense(dropout(h[:, 0])))))` (transformers'
/// `RobertaClassificationHead`: `dense`, `dropout`, `out_proj`).
#[derive(Module)]
pub struct RobertaClassificationHead {
    /// `[H, H]`.
    pub dense: Linear,
    /// `classifier_dropout`, or `hidden_dropout_prob` when unset; applied before `dense` and
    /// before `out_proj`.
    pub dropout: Dropout,
    /// `[num_labels, H]`.
    pub out_proj: Linear,
}

impl RobertaClassificationHead {
    /// A zero-filled head for `config`.
    pub fn new(config: &RobertaConfig) -> RobertaClassificationHead {
        let h = config.hidden_size;
        RobertaClassificationHead {
            dense: linear(h, h),
            dropout: Dropout::new(
                config
                    .classifier_dropout
                    .unwrap_or(config.hidden_dropout_prob),
            ),
            out_proj: linear(h, config.classification.num_labels()),
        }
    }

    /// `features` `[B, L, H]` → logits `[B, num_labels]` from the first (`<s>`) token.
    pub fn forward(&self, features: &Var) -> Var {
        let first = self.dropout.forward(&features.select(1usize, 0));
        let hidden = self.dropout.forward(&self.dense.forward(&first).tanh());
        self.out_proj.forward(&hidden)
    }
}

/// RoBERTa with a classification head: [`RobertaModel`] without a pooler (saved under
/// `roberta.*`) and a [`RobertaClassificationHead`] (`classifier.dense`,
/// `classifier.out_proj`), `num_labels` outputs, the loss of the config's `problem_type`
/// (inferred from the labels when unset, as transformers does).
#[derive(Module)]
pub struct RobertaForSequenceClassification {
    /// The encoder, built without a pooler.
    pub roberta: RobertaModel,
    /// The head on `<s>`.
    pub classifier: RobertaClassificationHead,
}

impl RobertaForSequenceClassification {
    /// A randomly initialised classifier (`RobertaForSequenceClassification(config)`).
    pub fn new(config: &RobertaConfig) -> RobertaForSequenceClassification {
        let model = <Self as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads a Hugging Face folder; a base-model or masked-LM checkpoint (roberta-base) gets
    /// a freshly initialised head, listed in the report, and its `lm_head` and pooler are
    /// reported as ignored.
    pub fn from_pretrained(
        dir: impl AsRef<Path>,
    ) -> Result<RobertaForSequenceClassification, PretrainedError> {
        Ok(Self::from_pretrained_with_report(dir)?.0)
    }

    /// [`RobertaForSequenceClassification::from_pretrained`] with the load report.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(RobertaForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Loads a folder with `num_labels` classes regardless of its config's labels
    /// (`from_pretrained(dir, num_labels=n)`).
    pub fn from_pretrained_with_num_labels(
        dir: impl AsRef<Path>,
        num_labels: usize,
    ) -> Result<(RobertaForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained_with(dir.as_ref(), |config: &mut RobertaConfig| {
            config.bert.classification = ClassificationConfig::with_num_labels(num_labels)
                .with_problem_type(config.classification.problem_type);
        })
    }

    /// Writes the folder (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture and labels.
    pub fn config(&self) -> &RobertaConfig {
        self.roberta.config()
    }

    /// Logits `[B, num_labels]` and, with `labels`, the loss; or why `input` or `labels` do
    /// not fit.
    pub fn try_forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> Result<SequenceClassifierOutput, InputError> {
        let out = self.roberta.try_forward(input)?;
        let logits = self.classifier.forward(&out.last_hidden_state);
        SequenceClassifierOutput::new(
            logits,
            labels,
            self.config().classification.problem_type,
            out,
        )
    }

    /// [`RobertaForSequenceClassification::try_forward`] that panics on unfit input.
    pub fn forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> SequenceClassifierOutput {
        self.try_forward(input, labels)
            .unwrap_or_else(|e| panic!("RobertaForSequenceClassification.forward: {e}"))
    }
}

impl PretrainedModel for RobertaForSequenceClassification {
    type Config = RobertaConfig;
    const BASE_MODEL_PREFIX: &'static str = "roberta";
    const ARCHITECTURE: &'static str = "RobertaForSequenceClassification";

    fn parse_config(text: &str, source: &str) -> Result<RobertaConfig, PretrainedError> {
        RobertaConfig::from_json(text, source)
    }

    fn build(config: &RobertaConfig) -> Self {
        RobertaForSequenceClassification {
            roberta: <RobertaModel as PretrainedModel>::build(config).without_pooler(),
            classifier: RobertaClassificationHead::new(config),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        self.roberta.init_selected("roberta.", select);
        let head = self
            .classifier
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| select(&format!("classifier.{n}")));
        init_bert_weights(head, self.config().initializer_range);
    }

    fn config(&self) -> &RobertaConfig {
        self.roberta.config()
    }

    /// The head's `dense` has the pooler's size, so BERT's count with a classifier is exact.
    fn parameter_count(config: &RobertaConfig) -> Option<u128> {
        config.parameter_count(true)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("classifier.")
    }

    fn may_be_unused(name: &str) -> bool {
        name.starts_with("roberta.pooler.")
    }
}
