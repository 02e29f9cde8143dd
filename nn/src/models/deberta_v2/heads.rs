//! `ContextPooler` and `DebertaV2ForSequenceClassification`: DeBERTa, the first token through
//! dropout, a dense layer and an activation, then dropout and a linear classifier
//! (transformers' `modeling_deberta_v2.ContextPooler` and
//! `DebertaV2ForSequenceClassification`), with transformers' loss rules.

use std::path::Path;

use kiln_autograd::Var;
use kiln_tensor::{DType, Tensor};

use crate::functional::{CrossEntropyOptions, cross_entropy};
use crate::models::activation::HiddenAct;
use crate::models::classification::{
    ClassificationConfig, SequenceClassifierOutput, check_labels, classification_loss,
};
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::linear;
use crate::models::input::EncoderInput;
use crate::models::pretrained::{self, LoadReport, PretrainedModel};
use crate::{Dropout, Forward, Linear, Module};

use super::model::unused_position_embeddings;
use super::{DebertaV2Config, DebertaV2Model};

/// `act(dense(dropout(h[:, 0])))` (transformers' `ContextPooler`: `pooler_dropout`,
/// `pooler_hidden_act`).
#[derive(Module)]
pub struct ContextPooler {
    /// `[H, H]`.
    pub dense: Linear,
    /// `pooler_dropout`, on the first token's state.
    pub dropout: Dropout,
    #[module(skip)]
    activation: HiddenAct,
}

impl ContextPooler {
    /// A zero-filled pooler for `config`.
    pub fn new(config: &DebertaV2Config) -> ContextPooler {
        let h = config.hidden_size;
        ContextPooler {
            dense: linear(h, h),
            dropout: Dropout::new(config.pooler_dropout),
            activation: config.pooler_hidden_act,
        }
    }

    /// `hidden` `[B, L, H]` → `[B, H]`.
    pub fn forward(&self, hidden: &Var) -> Var {
        let first = self.dropout.forward(&hidden.select(1usize, 0));
        self.activation.forward(&self.dense.forward(&first))
    }
}

/// DeBERTa with a classification head: `classifier(dropout(pooler(h)))`, `num_labels` outputs
/// (the length of the config's `id2label`); parameters `deberta.*`, `pooler.dense.*`,
/// `classifier.*`.
///
/// The loss follows transformers' `DebertaV2ForSequenceClassification.forward`: with
/// `problem_type` set, the shared rules of [`classification_loss`]; without it, MSE for one
/// label, cross-entropy over the rows whose class id is not negative for `[B]` labels (0 when
/// none is; `[B, 1]` ids are read as `[B]`, where transformers' gather fails), and the soft-label loss `−mean(Σ log_softmax(logits) · labels)`
/// for `[B, num_labels]` float labels.
#[derive(Module)]
pub struct DebertaV2ForSequenceClassification {
    /// The encoder; saved under `deberta.*`.
    pub deberta: DebertaV2Model,
    /// First-token pooler.
    pub pooler: ContextPooler,
    /// `[num_labels, H]`.
    pub classifier: Linear,
    /// `cls_dropout`, or `hidden_dropout_prob` when unset.
    pub dropout: Dropout,
}

/// The loss of `logits` `[B, n]` for `labels` when `problem_type` is unset, as
/// transformers' DeBERTa heads compute it (see [`DebertaV2ForSequenceClassification`]).
fn inferred_loss(logits: &Var, labels: &Tensor) -> Result<Var, InputError> {
    let d = logits.dims();
    let (batch, n) = (d[0], d[1]);
    if n == 1 {
        check_labels(&d, labels, Some(crate::models::ProblemType::Regression))?;
        return Ok(classification_loss(
            logits,
            labels,
            Some(crate::models::ProblemType::Regression),
        ));
    }
    let ld = labels.dims();
    if ld.len() == 1 || ld.last() == Some(&1) {
        if labels.numel() != batch {
            return Err(InputError::BadLabels {
                problem_type: "single_label_classification",
                expected: format!("{batch} class ids"),
                found: format!("{:?} {:?}", labels.dtype(), ld),
            });
        }
        let ids: Vec<i64> = labels.to_dtype(DType::I64).to_vec::<i64>();
        if let Some((row, &label)) = ids.iter().enumerate().find(|(_, l)| **l >= n as i64) {
            return Err(InputError::LabelOutOfRange {
                row,
                label,
                num_labels: n,
            });
        }
        let kept: Vec<i64> = ids.iter().map(|&l| if l < 0 { -100 } else { l }).collect();
        if kept.iter().all(|&l| l < 0) {
            return Ok(Var::constant(Tensor::zeros_with(
                [],
                logits.value().dtype(),
                &logits.value().device(),
            )));
        }
        let targets = Var::constant(Tensor::from_vec(kept, [batch]));
        // Negative ids become PyTorch's ignore_index, so the mean runs over the kept rows.
        return Ok(cross_entropy(
            logits,
            &targets,
            &CrossEntropyOptions::default(),
        ));
    }
    if ld != [batch, n] {
        return Err(InputError::BadLabels {
            problem_type: "soft labels",
            expected: format!("[{batch}, {n}] floats"),
            found: format!("{:?} {:?}", labels.dtype(), ld),
        });
    }
    let target = Var::constant(labels.to_dtype(logits.value().dtype()));
    Ok(logits
        .log_softmax(-1i64)
        .mul(&target)
        .sum_dim(&[-1], false)
        .mean()
        .neg())
}

impl DebertaV2ForSequenceClassification {
    /// A randomly initialised classifier (`DebertaV2ForSequenceClassification(config)`).
    pub fn new(config: &DebertaV2Config) -> DebertaV2ForSequenceClassification {
        let model = <Self as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads a Hugging Face folder; a base-model or pretraining checkpoint
    /// (microsoft/deberta-v3-xsmall) gets a freshly initialised pooler and classifier, listed
    /// in the report.
    pub fn from_pretrained(
        dir: impl AsRef<Path>,
    ) -> Result<DebertaV2ForSequenceClassification, PretrainedError> {
        Ok(Self::from_pretrained_with_report(dir)?.0)
    }

    /// [`DebertaV2ForSequenceClassification::from_pretrained`] with the load report.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(DebertaV2ForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Loads a folder with `num_labels` classes regardless of its config's labels
    /// (`from_pretrained(dir, num_labels=n)`).
    pub fn from_pretrained_with_num_labels(
        dir: impl AsRef<Path>,
        num_labels: usize,
    ) -> Result<(DebertaV2ForSequenceClassification, LoadReport), PretrainedError> {
        pretrained::from_pretrained_with(dir.as_ref(), |config: &mut DebertaV2Config| {
            config.classification = ClassificationConfig::with_num_labels(num_labels)
                .with_problem_type(config.classification.problem_type);
        })
    }

    /// Writes the folder (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture and labels.
    pub fn config(&self) -> &DebertaV2Config {
        self.deberta.config()
    }

    /// Logits `[B, num_labels]` and, with `labels`, the loss; or why `input` or `labels` do
    /// not fit.
    pub fn try_forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> Result<SequenceClassifierOutput, InputError> {
        let out = self.deberta.try_forward(input)?;
        let pooled = self.pooler.forward(&out.last_hidden_state);
        let logits = self.classifier.forward(&self.dropout.forward(&pooled));
        let problem_type = self.config().classification.problem_type;
        let loss = match (labels, problem_type) {
            (None, _) => None,
            (Some(l), Some(p)) => {
                check_labels(&logits.dims(), l, Some(p))?;
                Some(classification_loss(&logits, l, Some(p)))
            }
            (Some(l), None) => Some(inferred_loss(&logits, l)?),
        };
        Ok(SequenceClassifierOutput {
            loss,
            logits,
            hidden_states: out.hidden_states,
            attentions: out.attentions,
        })
    }

    /// [`DebertaV2ForSequenceClassification::try_forward`] that panics on unfit input.
    pub fn forward(
        &self,
        input: &EncoderInput,
        labels: Option<&Tensor>,
    ) -> SequenceClassifierOutput {
        self.try_forward(input, labels)
            .unwrap_or_else(|e| panic!("DebertaV2ForSequenceClassification.forward: {e}"))
    }
}

impl PretrainedModel for DebertaV2ForSequenceClassification {
    type Config = DebertaV2Config;
    const BASE_MODEL_PREFIX: &'static str = "deberta";
    const ARCHITECTURE: &'static str = "DebertaV2ForSequenceClassification";

    fn parse_config(text: &str, source: &str) -> Result<DebertaV2Config, PretrainedError> {
        DebertaV2Config::from_json(text, source)
    }

    fn build(config: &DebertaV2Config) -> Self {
        DebertaV2ForSequenceClassification {
            deberta: <DebertaV2Model as PretrainedModel>::build(config),
            pooler: ContextPooler::new(config),
            classifier: linear(config.hidden_size, config.classification.num_labels()),
            dropout: Dropout::new(config.cls_dropout.unwrap_or(config.hidden_dropout_prob)),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        self.deberta.init_selected("deberta.", select);
        let std = self.config().initializer_range;
        let head = self
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| !n.starts_with("deberta.") && select(n));
        crate::models::init::init_bert_weights(head, std);
    }

    fn config(&self) -> &DebertaV2Config {
        self.deberta.config()
    }

    fn parameter_count(config: &DebertaV2Config) -> Option<u128> {
        config.parameter_count(true)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("classifier.") || name.starts_with("pooler.")
    }

    fn may_be_unused(name: &str) -> bool {
        unused_position_embeddings(name)
    }
}
