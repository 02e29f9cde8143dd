//! BERT (transformers' `modeling_bert`): config, embeddings, attention, layer, encoder, pooler,
//! the base model and the sequence-classification head, one file each.

mod attention;
mod config;
mod embeddings;
mod encoder;
mod heads;
mod layer;
mod model;
mod pooler;

pub use attention::{BertAttention, BertResidualOutput, BertSelfAttention};
pub(crate) use attention::{merge_heads, multi_head_self_attention, split_heads};
pub use config::{BertConfig, ClassifierPooling};
pub use embeddings::BertEmbeddings;
pub use encoder::BertEncoder;
pub use heads::BertForSequenceClassification;
pub use layer::{BertIntermediate, BertLayer};
pub use model::BertModel;
pub use pooler::BertPooler;
