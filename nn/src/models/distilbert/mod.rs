//! DistilBERT (transformers' `modeling_distilbert`): its own config keys and weight names,
//! BERT's attention arithmetic.

mod config;
mod embeddings;
mod heads;
mod layer;
mod model;

pub use config::{DISTILBERT_LAYER_NORM_EPS, DistilBertConfig};
pub use embeddings::{DistilBertEmbeddings, sinusoidal_table};
pub use heads::DistilBertForSequenceClassification;
pub use layer::{DistilBertFeedForward, DistilBertLayer, DistilBertSelfAttention};
pub use model::{DistilBertModel, DistilBertTransformer};
