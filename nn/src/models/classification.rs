//! Sequence classification shared by the BERT-family heads: labels and `problem_type` in the
//! config, the loss transformers picks from them, and the output of a classifier.

use std::collections::BTreeMap;

use kiln_autograd::Var;
use kiln_tensor::{DType, Tensor};
use serde::{Deserialize, Serialize};

use crate::functional::{
    BceWithLogitsOptions, CrossEntropyOptions, Reduction, binary_cross_entropy_with_logits,
    cross_entropy, mse_loss,
};
use crate::models::error::{InputError, PretrainedError};
use crate::models::input::BaseModelOutput;

/// Which loss a sequence classifier trains with (transformers' `config.problem_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemType {
    /// One float target per label; `MSELoss`.
    Regression,
    /// One class id per example; `CrossEntropyLoss`.
    SingleLabelClassification,
    /// A 0/1 float per label per example; `BCEWithLogitsLoss`.
    MultiLabelClassification,
}

impl ProblemType {
    /// transformers' rule when `problem_type` is unset: one label is regression, integer
    /// labels are single-label classification, float labels multi-label classification.
    pub fn infer(num_labels: usize, labels: &Tensor) -> ProblemType {
        if num_labels == 1 {
            ProblemType::Regression
        } else if labels.dtype() == DType::I64 {
            ProblemType::SingleLabelClassification
        } else {
            ProblemType::MultiLabelClassification
        }
    }
}

/// The classification keys of a Hugging Face config: `id2label`, `label2id`, `problem_type`
/// (and `num_labels`, which transformers reads but writes as the length of `id2label`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ClassificationConfig {
    /// Label names by class index; `num_labels` is its length (2 when absent, as
    /// transformers' default `LABEL_0`, `LABEL_1`).
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "id2label_from_json"
    )]
    pub id2label: BTreeMap<usize, String>,
    /// Class index by label name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub label2id: BTreeMap<String, usize>,
    /// The loss to train with; inferred from the labels when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem_type: Option<ProblemType>,
    /// `num_labels` when a config gives it without `id2label`.
    #[serde(default, skip_serializing)]
    num_labels: Option<usize>,
}

/// Reads `id2label`, whose keys JSON stores as strings (`{"0": "NEGATIVE"}`).
fn id2label_from_json<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<usize, String>, D::Error> {
    let raw = BTreeMap::<String, String>::deserialize(deserializer)?;
    raw.into_iter()
        .map(|(k, v)| {
            k.parse::<usize>().map(|id| (id, v)).map_err(|_| {
                serde::de::Error::custom(format!("id2label key \"{k}\" is not a class index"))
            })
        })
        .collect()
}

/// Classes allowed in a config: far beyond any real label set, and small enough that a
/// corrupt file cannot make the classifier allocate without bound.
pub const MAX_LABELS: usize = 1 << 16;

impl ClassificationConfig {
    /// `num_labels` labels named `LABEL_0`, `LABEL_1`, … (transformers' default names).
    pub fn with_num_labels(num_labels: usize) -> ClassificationConfig {
        let id2label: BTreeMap<usize, String> =
            (0..num_labels).map(|i| (i, format!("LABEL_{i}"))).collect();
        let label2id = id2label.iter().map(|(&i, l)| (l.clone(), i)).collect();
        ClassificationConfig {
            id2label,
            label2id,
            problem_type: None,
            num_labels: None,
        }
    }

    /// The same labels with `problem_type` set.
    pub fn with_problem_type(mut self, problem_type: Option<ProblemType>) -> ClassificationConfig {
        self.problem_type = problem_type;
        self
    }

    /// The number of classifier outputs.
    pub fn num_labels(&self) -> usize {
        if self.id2label.is_empty() {
            self.num_labels.unwrap_or(2)
        } else {
            self.id2label.len()
        }
    }

    /// Checks that the label ids are `0..num_labels` and their number is bounded.
    pub fn validate(&self, source: &str) -> Result<(), PretrainedError> {
        let invalid = |message: String| {
            Err(PretrainedError::Config {
                path: source.into(),
                message,
            })
        };
        let n = self.num_labels();
        if n == 0 || n > MAX_LABELS {
            return invalid(format!("num_labels {n} is not within 1..={MAX_LABELS}"));
        }
        if let Some((&last, _)) = self.id2label.last_key_value()
            && last + 1 != self.id2label.len()
        {
            return invalid(format!(
                "id2label has {} labels but ids up to {last}; ids must be 0..{}",
                self.id2label.len(),
                self.id2label.len()
            ));
        }
        Ok(())
    }
}

/// What a sequence classifier returns (transformers' `SequenceClassifierOutput`).
pub struct SequenceClassifierOutput {
    /// The loss for the given labels; `None` without labels.
    pub loss: Option<Var>,
    /// `[B, num_labels]` unnormalised scores.
    pub logits: Var,
    /// With `output_hidden_states`: the embeddings output then every layer's output.
    pub hidden_states: Option<Vec<Var>>,
    /// With `output_attentions`: every layer's attention probabilities `[B, heads, L, L]`.
    pub attentions: Option<Vec<Var>>,
}

impl SequenceClassifierOutput {
    /// A head's `logits` with the loss for `labels` under `problem_type` (see
    /// [`classification_loss`]) and the encoder's hidden states and attentions, as every
    /// `…ForSequenceClassification.forward` returns them.
    /// Labels that do not fit the head (a class id outside `num_labels`, a wrong shape) are
    /// an error, where transformers would fail inside the loss.
    pub fn new(
        logits: Var,
        labels: Option<&Tensor>,
        problem_type: Option<ProblemType>,
        encoder_output: BaseModelOutput,
    ) -> Result<Self, InputError> {
        let loss = match labels {
            Some(l) => {
                check_labels(logits.value().dims(), l, problem_type)?;
                Some(classification_loss(&logits, l, problem_type))
            }
            None => None,
        };
        Ok(SequenceClassifierOutput {
            loss,
            logits,
            hidden_states: encoder_output.hidden_states,
            attentions: encoder_output.attentions,
        })
    }
}

/// The class id cross-entropy ignores (PyTorch's default `ignore_index`).
const IGNORE_INDEX: i64 = -100;

/// Checks `labels` against logits of shape `logits_dims` (`[B, num_labels]`) under the
/// problem type (inferred as [`classification_loss`] infers it).
pub fn check_labels(
    logits_dims: &[usize],
    labels: &Tensor,
    problem_type: Option<ProblemType>,
) -> Result<(), InputError> {
    let (batch, num_labels) = match logits_dims {
        [b, n] => (*b, *n),
        _ => return Ok(()),
    };
    let problem_type = problem_type.unwrap_or_else(|| ProblemType::infer(num_labels, labels));
    let bad = |problem_type: &'static str, expected: String| InputError::BadLabels {
        problem_type,
        expected,
        found: format!("{:?} {:?}", labels.dtype(), labels.dims()),
    };
    match problem_type {
        ProblemType::SingleLabelClassification => {
            if labels.dtype().is_float() || labels.numel() != batch {
                return Err(bad(
                    "single_label_classification",
                    format!("{batch} integer class ids"),
                ));
            }
            let ids = labels.to_dtype(DType::I64).to_vec::<i64>();
            if let Some((row, &label)) = ids
                .iter()
                .enumerate()
                .find(|(_, l)| **l != IGNORE_INDEX && !(0..num_labels as i64).contains(*l))
            {
                return Err(InputError::LabelOutOfRange {
                    row,
                    label,
                    num_labels,
                });
            }
        }
        ProblemType::MultiLabelClassification => {
            if labels.dims() != [batch, num_labels] {
                return Err(bad(
                    "multi_label_classification",
                    format!("[{batch}, {num_labels}] floats"),
                ));
            }
        }
        ProblemType::Regression => {
            if labels.numel() != batch * num_labels {
                return Err(bad("regression", format!("{} numbers", batch * num_labels)));
            }
        }
    }
    Ok(())
}

/// The loss transformers' `…ForSequenceClassification.forward` computes from `logits`
/// `[B, num_labels]` and `labels`: MSE for regression (`[B]` or `[B, num_labels]` floats),
/// cross-entropy for single-label (`[B]` int64 class ids), BCE-with-logits for multi-label
/// (`[B, num_labels]` floats). `problem_type` `None` is inferred as transformers does.
pub fn classification_loss(
    logits: &Var,
    labels: &Tensor,
    problem_type: Option<ProblemType>,
) -> Var {
    let num_labels = *logits
        .value()
        .dims()
        .last()
        .expect("classification_loss: logits must be [B, num_labels]");
    let problem_type = problem_type.unwrap_or_else(|| ProblemType::infer(num_labels, labels));
    match problem_type {
        ProblemType::Regression => {
            let target = Var::constant(labels.to_dtype(logits.value().dtype()));
            if num_labels == 1 {
                let target = target.reshape(&[-1]);
                mse_loss(&logits.reshape(&[-1]), &target, Reduction::Mean)
            } else {
                mse_loss(logits, &target, Reduction::Mean)
            }
        }
        ProblemType::SingleLabelClassification => cross_entropy(
            &logits.reshape(&[-1, num_labels as isize]),
            &Var::constant(labels.to_dtype(DType::I64).reshape_to(vec![labels.numel()])),
            &CrossEntropyOptions::default(),
        ),
        ProblemType::MultiLabelClassification => binary_cross_entropy_with_logits(
            logits,
            &Var::constant(labels.to_dtype(logits.value().dtype())),
            &BceWithLogitsOptions::default(),
        ),
    }
}
