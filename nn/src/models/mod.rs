//! Pretrained BERT-family encoders that load Hugging Face folders and give transformers'
//! numbers: [`BertModel`], [`BertForSequenceClassification`], [`DistilBertModel`],
//! [`DistilBertForSequenceClassification`], [`DebertaV2Model`],
//! [`DebertaV2ForSequenceClassification`], [`RobertaModel`],
//! [`RobertaForSequenceClassification`], with the pieces they share (inputs and outputs,
//! the classification loss by `problem_type`, folder loading, the layer stack with gradient
//! checkpointing) and the transfer-learning helpers of the seeds ([`transfer`]).

pub mod activation;
pub mod bert;
pub mod classification;
mod config_check;
pub mod deberta_v2;
pub mod distilbert;
pub mod error;
pub mod init;
pub mod input;
pub mod layer_stack;
pub mod pretrained;
pub mod roberta;
pub mod transfer;

pub use activation::HiddenAct;
pub use bert::{BertConfig, BertForSequenceClassification, BertModel, ClassifierPooling};
pub use classification::{
    ClassificationConfig, ProblemType, SequenceClassifierOutput, check_labels, classification_loss,
};
pub use deberta_v2::{DebertaV2Config, DebertaV2ForSequenceClassification, DebertaV2Model};
pub use distilbert::{DistilBertConfig, DistilBertForSequenceClassification, DistilBertModel};
pub use error::{InputError, PretrainedError};
pub use input::{BaseModelOutput, EncoderInput};
pub use pretrained::{LoadReport, PretrainedModel};
pub use roberta::{RobertaConfig, RobertaForSequenceClassification, RobertaModel};
