//! The WordLevel model: each word is one token, or the unknown token.

use crate::error::{Result, TextError};
use crate::models::{Piece, Vocab};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Maps every word to its id, or to `unk_token` when it is not in the vocabulary
/// (Hugging Face `models.WordLevel`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordLevel {
    vocab: Vocab,
    unk_token: String,
    unk_id: u32,
}

/// The JSON shape Hugging Face writes for a WordLevel model.
#[derive(Deserialize)]
pub(crate) struct WordLevelJson {
    vocab: HashMap<String, u32>,
    #[serde(default = "default_unk")]
    unk_token: String,
}

#[derive(Serialize)]
pub(crate) struct WordLevelJsonOut<'a> {
    vocab: &'a Vocab,
    unk_token: &'a str,
}

fn default_unk() -> String {
    "<unk>".into()
}

impl WordLevel {
    /// Builds the model; fails if `unk_token` is not in `vocab`.
    pub fn new(vocab: Vocab, unk_token: impl Into<String>) -> Result<Self> {
        let unk_token = unk_token.into();
        let unk_id = vocab.id(&unk_token).ok_or_else(|| {
            TextError::config(
                "model.unk_token",
                format!("{unk_token:?} is not in the vocabulary"),
            )
        })?;
        Ok(WordLevel {
            vocab,
            unk_token,
            unk_id,
        })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The unknown token.
    pub fn unk_token(&self) -> &str {
        &self.unk_token
    }

    /// Appends the one piece for `word` to `out` (nothing for an empty word).
    pub fn tokenize_into(&self, word: &str, out: &mut Vec<Piece>) {
        if word.is_empty() {
            return;
        }
        out.push(Piece {
            id: self.vocab.id(word).unwrap_or(self.unk_id),
            start: 0,
            end: word.len(),
        });
    }

    pub(crate) fn from_json(j: WordLevelJson) -> Result<Self> {
        WordLevel::new(Vocab::from_pairs(j.vocab, "model.vocab")?, j.unk_token)
    }

    pub(crate) fn to_json(&self) -> WordLevelJsonOut<'_> {
        WordLevelJsonOut {
            vocab: &self.vocab,
            unk_token: &self.unk_token,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_or_unk() {
        let v = Vocab::from_tokens(["<unk>", "hello"].map(String::from));
        let m = WordLevel::new(v, "<unk>").unwrap();
        let mut out = Vec::new();
        m.tokenize_into("hello", &mut out);
        m.tokenize_into("bye", &mut out);
        m.tokenize_into("", &mut out);
        let ids: Vec<u32> = out.iter().map(|p| p.id).collect();
        assert_eq!(ids, [1, 0]);
        assert!(WordLevel::new(Vocab::default(), "<unk>").is_err());
    }
}
