//! Models: turn one pre-tokenized word into token ids (Hugging Face `tokenizers.models`).

pub mod bpe;
pub mod unigram;
mod vocab;
pub mod wordlevel;
pub mod wordpiece;

pub use bpe::{Bpe, BpeConfig, BpeTrainer};
pub use unigram::{Unigram, UnigramTrainer};
pub use vocab::Vocab;
pub use wordlevel::WordLevel;
pub use wordpiece::{WordPiece, WordPieceConfig, WordPieceTrainer};

use crate::error::TextError;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// One token produced by a model: its id and its byte range inside the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    /// Token id.
    pub id: u32,
    /// Start byte within the word.
    pub start: usize,
    /// End byte (exclusive) within the word.
    pub end: usize,
}

/// A trainer for one of the models (Hugging Face `trainers`).
#[derive(Debug, Clone, PartialEq)]
pub enum Trainer {
    /// Trains a [`Bpe`] model.
    Bpe(BpeTrainer),
    /// Trains a [`WordPiece`] model.
    WordPiece(WordPieceTrainer),
    /// Trains a [`Unigram`] model.
    Unigram(UnigramTrainer),
}

impl Trainer {
    /// The special tokens the trained model starts with.
    pub fn special_tokens(&self) -> &[String] {
        match self {
            Trainer::Bpe(t) => &t.special_tokens,
            Trainer::WordPiece(t) => &t.bpe.special_tokens,
            Trainer::Unigram(t) => &t.special_tokens,
        }
    }

    /// Trains a model on `word → count`.
    pub fn train_words(
        &self,
        word_counts: &rustc_hash::FxHashMap<String, u64>,
    ) -> crate::error::Result<Model> {
        Ok(match self {
            Trainer::Bpe(t) => Model::Bpe(t.train_words(word_counts)?),
            Trainer::WordPiece(t) => Model::WordPiece(t.train_words(word_counts)?),
            Trainer::Unigram(t) => Model::Unigram(t.train_words(word_counts)?),
        })
    }
}

/// Any model, tagged by `"type"` as in `tokenizer.json`.
#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    /// [`WordPiece`].
    WordPiece(WordPiece),
    /// [`Bpe`].
    Bpe(Bpe),
    /// [`WordLevel`].
    WordLevel(WordLevel),
    /// [`Unigram`].
    Unigram(Unigram),
}

impl Model {
    /// Splits one word, appending its pieces to `out`.
    #[inline]
    pub fn tokenize_into(&self, word: &str, out: &mut Vec<Piece>) {
        match self {
            Model::WordPiece(m) => m.tokenize_into(word, out),
            Model::Bpe(m) => m.tokenize_into(word, out),
            Model::WordLevel(m) => m.tokenize_into(word, out),
            Model::Unigram(m) => m.tokenize_into(word, out),
        }
    }

    /// The id whose token string is the text it covers rather than its vocabulary entry:
    /// a Unigram model's unknown id (Hugging Face's Unigram returns the unknown span itself
    /// as the token's value).
    pub fn raw_text_id(&self) -> Option<u32> {
        match self {
            Model::Unigram(m) => Some(m.unk_id()),
            _ => None,
        }
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        match self {
            Model::WordPiece(m) => m.vocab(),
            Model::Bpe(m) => m.vocab(),
            Model::WordLevel(m) => m.vocab(),
            Model::Unigram(m) => m.vocab(),
        }
    }
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum ModelJson {
    WordPiece(wordpiece::WordPieceJson),
    #[serde(rename = "BPE")]
    Bpe(bpe::BpeJson),
    WordLevel(wordlevel::WordLevelJson),
    Unigram(unigram::UnigramJson),
}

impl<'de> Deserialize<'de> for Model {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = ModelJson::deserialize(d)?;
        let m = match j {
            ModelJson::WordPiece(w) => WordPiece::from_json(w).map(Model::WordPiece),
            ModelJson::Bpe(b) => Bpe::from_json(b).map(Model::Bpe),
            ModelJson::WordLevel(w) => WordLevel::from_json(w).map(Model::WordLevel),
            ModelJson::Unigram(u) => Unigram::from_json(u).map(Model::Unigram),
        };
        m.map_err(|e: TextError| serde::de::Error::custom(e))
    }
}

impl Serialize for Model {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(tag = "type")]
        enum Out<'a> {
            WordPiece(wordpiece::WordPieceJsonOut<'a>),
            #[serde(rename = "BPE")]
            Bpe(bpe::BpeJsonOut<'a>),
            WordLevel(wordlevel::WordLevelJsonOut<'a>),
            Unigram(unigram::UnigramJsonOut<'a>),
        }
        match self {
            Model::WordPiece(m) => Out::WordPiece(m.to_json()).serialize(s),
            Model::Bpe(m) => Out::Bpe(m.to_json()).serialize(s),
            Model::WordLevel(m) => Out::WordLevel(m.to_json()).serialize(s),
            Model::Unigram(m) => Out::Unigram(m.to_json()).serialize(s),
        }
    }
}
