//! WordPiece file formats: the `"model"` object of `tokenizer.json` and BERT's `vocab.txt`.

use super::{WordPiece, WordPieceConfig};
use crate::error::{Result, TextError};
use crate::models::Vocab;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// The JSON shape Hugging Face writes for a WordPiece model.
#[derive(Serialize, Deserialize)]
pub(crate) struct WordPieceJson {
    unk_token: String,
    continuing_subword_prefix: String,
    max_input_chars_per_word: usize,
    vocab: HashMap<String, u32>,
}

#[derive(Serialize)]
pub(crate) struct WordPieceJsonOut<'a> {
    unk_token: &'a str,
    continuing_subword_prefix: &'a str,
    max_input_chars_per_word: usize,
    vocab: &'a Vocab,
}

impl WordPiece {
    pub(crate) fn from_json(j: WordPieceJson) -> Result<Self> {
        let vocab = Vocab::from_pairs(j.vocab, "model.vocab")?;
        WordPiece::new(
            vocab,
            WordPieceConfig {
                unk_token: j.unk_token,
                continuing_subword_prefix: j.continuing_subword_prefix,
                max_input_chars_per_word: j.max_input_chars_per_word,
            },
        )
    }

    pub(crate) fn to_json(&self) -> WordPieceJsonOut<'_> {
        let c = self.config();
        WordPieceJsonOut {
            unk_token: &c.unk_token,
            continuing_subword_prefix: &c.continuing_subword_prefix,
            max_input_chars_per_word: c.max_input_chars_per_word,
            vocab: self.vocab(),
        }
    }

    /// Parses BERT's `vocab.txt` text: one token per line, id = line number − 1, trailing
    /// whitespace removed (Hugging Face `WordPiece.read_file`).
    ///
    /// Repeated lines behave as in Hugging Face, which inserts every line into a `HashMap`:
    /// the last occurrence of a token wins its id and the ids of earlier occurrences are left
    /// unused (blank lines are all the empty token, and `"a"`, `"a "` and `"a\t"` are one
    /// token). Hugging Face never rejects a repeat, so neither does this; the table has one
    /// slot per line, so its size is bounded by the text's.
    pub fn vocab_from_txt(text: &str) -> Vocab {
        Vocab::from_lines(text.lines().map(|l| l.trim_end().to_owned()))
    }

    /// Loads a model from a `vocab.txt` file with `config`; bad UTF-8 is reported with its
    /// line number, and every error names the file (a missing `unk_token`, for instance, is
    /// `path: `model.unk_token`: "[UNK]" is not in the vocabulary`).
    pub fn from_vocab_file(path: impl AsRef<Path>, config: WordPieceConfig) -> Result<Self> {
        let path = path.as_ref();
        let what = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| TextError::io(path, e))?;
        let text = std::str::from_utf8(&bytes).map_err(|e| TextError::Line {
            what: what.clone(),
            line: 1 + bytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            message: "not valid UTF-8".into(),
        })?;
        WordPiece::new(Self::vocab_from_txt(text), config).map_err(|e| e.in_file(&what))
    }

    /// Writes the vocabulary as `vocab.txt` (one token per line, in id order).
    pub fn save_vocab_txt(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut s = String::new();
        for (_, t) in self.vocab().iter() {
            s.push_str(t);
            s.push('\n');
        }
        std::fs::write(path, s).map_err(|e| TextError::io(path, e))
    }
}
