//! The WordPiece model: greedy longest-match-first sub-word splitting (BERT).

use crate::error::{Result, TextError};
use crate::models::{Piece, Vocab};
use rustc_hash::FxHashMap;

/// Settings of a [`WordPiece`] model; defaults equal Hugging Face's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPieceConfig {
    /// Token produced for a word that cannot be split (default `"[UNK]"`).
    pub unk_token: String,
    /// Prefix of tokens that continue a word (default `"##"`).
    pub continuing_subword_prefix: String,
    /// Words with more characters than this become `unk_token` (default 100).
    pub max_input_chars_per_word: usize,
}

impl Default for WordPieceConfig {
    fn default() -> Self {
        WordPieceConfig {
            unk_token: "[UNK]".into(),
            continuing_subword_prefix: "##".into(),
            max_input_chars_per_word: 100,
        }
    }
}

/// WordPiece (Hugging Face `models.WordPiece`): each word is split greedily into the longest
/// vocabulary prefix, then the longest `##`-prefixed continuation, and so on; a word with an
/// unsplittable remainder becomes the unknown token.
///
/// Lookups never build strings: continuations are looked up in a second table keyed by the
/// text after the prefix, and candidates longer than the longest token are never tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordPiece {
    vocab: Vocab,
    cont: FxHashMap<Box<str>, u32>,
    config: WordPieceConfig,
    unk_id: u32,
    max_len: usize,
    max_cont_len: usize,
}

impl WordPiece {
    /// Builds the model; fails if `config.unk_token` is not in `vocab`.
    pub fn new(vocab: Vocab, config: WordPieceConfig) -> Result<Self> {
        let unk_id = vocab.id(&config.unk_token).ok_or_else(|| {
            TextError::config(
                "model.unk_token",
                format!("{:?} is not in the vocabulary", config.unk_token),
            )
        })?;
        let prefix = config.continuing_subword_prefix.as_str();
        let mut cont = FxHashMap::default();
        let mut max_len = 0;
        let mut max_cont_len = 0;
        for (t, &id) in vocab.map() {
            max_len = max_len.max(t.len());
            if let Some(rest) = t.strip_prefix(prefix) {
                max_cont_len = max_cont_len.max(rest.len());
                cont.insert(rest.into(), id);
            }
        }
        Ok(WordPiece {
            vocab,
            cont,
            config,
            unk_id,
            max_len,
            max_cont_len,
        })
    }

    /// The vocabulary.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The settings.
    pub fn config(&self) -> &WordPieceConfig {
        &self.config
    }

    /// Splits one word, appending `(id, byte range within word)` pieces to `out`.
    pub fn tokenize_into(&self, word: &str, out: &mut Vec<Piece>) {
        let unk = Piece {
            id: self.unk_id,
            start: 0,
            end: word.len(),
        };
        let limit = self.config.max_input_chars_per_word;
        if word.len() > limit && word.chars().count() > limit {
            out.push(unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            let (map, max) = if start == 0 {
                (self.vocab.map(), self.max_len)
            } else {
                (&self.cont, self.max_cont_len)
            };
            let mut end = word.len().min(start + max);
            while !word.is_char_boundary(end) {
                end -= 1;
            }
            let mut found = None;
            while end > start {
                if let Some(&id) = map.get(&word[start..end]) {
                    found = Some(id);
                    break;
                }
                end -= 1;
                while !word.is_char_boundary(end) {
                    end -= 1;
                }
            }
            match found {
                Some(id) => out.push(Piece { id, start, end }),
                None => {
                    out.truncate(first);
                    out.push(unk);
                    return;
                }
            }
            start = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> WordPiece {
        let toks = ["[UNK]", "un", "##aff", "##able", "aff", "##a", "é", "##é"];
        WordPiece::new(
            Vocab::from_tokens(toks.iter().map(|s| s.to_string())),
            WordPieceConfig::default(),
        )
        .unwrap()
    }

    fn ids(m: &WordPiece, w: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        m.tokenize_into(w, &mut out);
        out.into_iter().map(|p| (p.id, p.start, p.end)).collect()
    }

    #[test]
    fn greedy_longest_match() {
        let m = model();
        assert_eq!(ids(&m, "unaffable"), [(1, 0, 2), (2, 2, 5), (3, 5, 9)]);
        assert_eq!(ids(&m, "unaffablex"), [(0, 0, 10)]);
        assert_eq!(ids(&m, "éé"), [(6, 0, 2), (7, 2, 4)]);
        assert_eq!(ids(&m, ""), []);
        let long = "a".repeat(101);
        assert_eq!(ids(&m, &long), [(0, 0, 101)]);
    }

    #[test]
    fn missing_unk_is_an_error() {
        let v = Vocab::from_tokens(["a".to_string()]);
        let e = WordPiece::new(v, WordPieceConfig::default()).unwrap_err();
        assert!(e.to_string().contains("unk_token"));
    }
}
