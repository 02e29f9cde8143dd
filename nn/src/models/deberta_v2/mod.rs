//! DeBERTa-v2 and v3 (transformers' `modeling_deberta_v2`, `model_type` `"deberta-v2"`):
//! config, embeddings, relative positions, disentangled attention, layer, the convolution,
//! encoder, the base model and the sequence-classification head, one file each.

mod attention;
mod config;
mod conv;
mod embeddings;
mod encoder;
mod heads;
mod layer;
mod model;
pub mod relative_position;

pub use attention::{
    AttentionContext, DebertaV2Attention, DebertaV2ResidualOutput, DisentangledSelfAttention,
    RelativeIndices,
};
pub use config::DebertaV2Config;
pub use conv::ConvLayer;
pub use embeddings::DebertaV2Embeddings;
pub use encoder::DebertaV2Encoder;
pub use heads::{ContextPooler, DebertaV2ForSequenceClassification};
pub use layer::{DebertaV2Intermediate, DebertaV2Layer};
pub use model::DebertaV2Model;
