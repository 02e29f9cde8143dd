//! WordPieceTrainer: BPE training with the `##` continuation prefix, read as WordPiece
//! (Hugging Face `trainers.WordPieceTrainer`).

use super::{WordPiece, WordPieceConfig};
use crate::error::Result;
use crate::models::bpe::BpeTrainer;
use rustc_hash::FxHashMap;

/// Settings of WordPiece training; defaults equal Hugging Face's `WordPieceTrainer`
/// (a [`BpeTrainer`] with `continuing_subword_prefix = "##"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPieceTrainer {
    /// The underlying BPE training settings.
    pub bpe: BpeTrainer,
    /// Unknown token of the trained model (default `"[UNK]"`; list it in
    /// `bpe.special_tokens` so it is in the vocabulary).
    pub unk_token: String,
}

impl Default for WordPieceTrainer {
    fn default() -> Self {
        WordPieceTrainer {
            bpe: BpeTrainer {
                continuing_subword_prefix: Some("##".into()),
                ..BpeTrainer::default()
            },
            unk_token: "[UNK]".into(),
        }
    }
}

impl WordPieceTrainer {
    /// Learns a WordPiece model from `word → count` (Hugging Face `WordPiece::from_bpe`).
    pub fn train_words(&self, word_counts: &FxHashMap<String, u64>) -> Result<WordPiece> {
        let bpe = self.bpe.train_words(word_counts)?;
        let mut vocab = bpe.vocab().clone();
        if vocab.id(&self.unk_token).is_none() {
            vocab.push(self.unk_token.clone());
        }
        WordPiece::new(
            vocab,
            WordPieceConfig {
                unk_token: self.unk_token.clone(),
                continuing_subword_prefix: self
                    .bpe
                    .continuing_subword_prefix
                    .clone()
                    .unwrap_or_else(|| "##".into()),
                ..WordPieceConfig::default()
            },
        )
    }
}
