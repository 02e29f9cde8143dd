//! RoBERTa (transformers' `modeling_roberta`, `model_type` `"roberta"`): BERT's keys, layers and
//! weight names with positions counted from the padding index, and a classification head on
//! the `<s>` token instead of a pooler. Only what differs from [`crate::models::bert`] lives
//! here: the config, the position ids, the base model and the head.

mod config;
mod embeddings;
mod heads;
mod model;

pub use config::RobertaConfig;
pub use embeddings::create_position_ids_from_input_ids;
pub use heads::{RobertaClassificationHead, RobertaForSequenceClassification};
pub use model::RobertaModel;
