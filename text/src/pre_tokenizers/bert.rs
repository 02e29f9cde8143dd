//! The BERT pre-tokenizer (Hugging Face `pre_tokenizers.BertPreTokenizer`).

use super::PreTokenizedString;
use crate::utils::chars::{self, PUNCT, STD_WHITESPACE};
use serde::{Deserialize, Serialize};

/// Splits on whitespace (removed) and on every punctuation character (kept as its own
/// word), mirroring Hugging Face `BertPreTokenizer`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BertPreTokenizer;

impl BertPreTokenizer {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        pts.split(|text, base, out| {
            let mut word: Option<usize> = None;
            for (i, c) in text.char_indices() {
                let f = chars::flags(c);
                if f & (STD_WHITESPACE | PUNCT) == 0 {
                    if word.is_none() {
                        word = Some(i);
                    }
                    continue;
                }
                if let Some(s) = word.take() {
                    out.push((base + s, base + i));
                }
                if f & STD_WHITESPACE == 0 {
                    out.push((base + i, base + i + c.len_utf8()));
                }
            }
            if let Some(s) = word {
                out.push((base + s, base + text.len()));
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizers::NormalizedString;

    #[test]
    fn splits_whitespace_and_punctuation() {
        let mut pts =
            PreTokenizedString::new(NormalizedString::new("Hey  friend!¿how's\u{3000}it", 0));
        BertPreTokenizer.pre_tokenize(&mut pts);
        let words: Vec<&str> = pts.get_splits().into_iter().map(|s| s.0).collect();
        assert_eq!(words, ["Hey", "friend", "!", "¿", "how", "'", "s", "it"]);
    }
}
