//! Unigram: the SentencePiece unigram language model and its `tokenizer.json` section.

mod lattice;
mod model;
mod serialization;
mod trainer;
mod trie;

pub use model::{UNK_PENALTY, Unigram, byte_piece};
pub(crate) use serialization::{UnigramJson, UnigramJsonOut};
pub use trainer::UnigramTrainer;
