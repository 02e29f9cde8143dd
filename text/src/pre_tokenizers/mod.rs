//! Pre-tokenizers: cut normalized text into words before the model sees it
//! (Hugging Face `tokenizers.pre_tokenizers`).

mod bert;
mod byte_level;
mod metaspace;
mod pre_tokenized;
mod simple;

pub use bert::BertPreTokenizer;
pub use byte_level::{ByteLevel, bytes_to_chars, char_to_byte, gpt2_split};
pub use metaspace::{Metaspace, PrependScheme, Split as SplitPattern};
pub use pre_tokenized::{PreTokenizedString, Split, SplitDelimiterBehavior, split_at_matches};
pub use simple::{CharDelimiterSplit, Digits, Punctuation, Whitespace, WhitespaceSplit};

use crate::normalizers::NormalizedString;
use serde::{Deserialize, Serialize};

/// Any pre-tokenizer, tagged by `"type"` as in `tokenizer.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PreTokenizer {
    /// [`BertPreTokenizer`].
    BertPreTokenizer(BertPreTokenizer),
    /// [`Whitespace`].
    Whitespace(Whitespace),
    /// [`WhitespaceSplit`].
    WhitespaceSplit(WhitespaceSplit),
    /// [`Punctuation`].
    Punctuation(Punctuation),
    /// [`Digits`].
    Digits(Digits),
    /// [`CharDelimiterSplit`].
    CharDelimiterSplit(CharDelimiterSplit),
    /// [`ByteLevel`].
    ByteLevel(ByteLevel),
    /// [`Metaspace`].
    Metaspace(Metaspace),
    /// [`SplitPattern`] (Hugging Face `Split`).
    Split(SplitPattern),
    /// Several pre-tokenizers applied in order (Hugging Face `pre_tokenizers.Sequence`).
    Sequence {
        /// The pre-tokenizers, first applied first.
        pretokenizers: Vec<PreTokenizer>,
    },
}

impl PreTokenizer {
    /// Splits `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        match self {
            PreTokenizer::BertPreTokenizer(x) => x.pre_tokenize(pts),
            PreTokenizer::Whitespace(x) => x.pre_tokenize(pts),
            PreTokenizer::WhitespaceSplit(x) => x.pre_tokenize(pts),
            PreTokenizer::Punctuation(x) => x.pre_tokenize(pts),
            PreTokenizer::Digits(x) => x.pre_tokenize(pts),
            PreTokenizer::CharDelimiterSplit(x) => x.pre_tokenize(pts),
            PreTokenizer::ByteLevel(x) => x.pre_tokenize(pts),
            PreTokenizer::Metaspace(x) => x.pre_tokenize(pts),
            PreTokenizer::Split(x) => x.pre_tokenize(pts),
            PreTokenizer::Sequence { pretokenizers } => {
                for p in pretokenizers {
                    p.pre_tokenize(pts);
                }
            }
        }
    }

    /// Pre-tokenizes a plain string into `(word, original byte offsets)`
    /// (Hugging Face `pre_tokenize_str`).
    pub fn pre_tokenize_str(&self, text: &str) -> Vec<(String, (usize, usize))> {
        let mut pts = PreTokenizedString::new(NormalizedString::new(text, 0));
        self.pre_tokenize(&mut pts);
        pts.get_splits()
            .into_iter()
            .map(|(s, o)| (s.to_owned(), o))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_names_match_hf() {
        let json = r#"{"type":"Sequence","pretokenizers":[{"type":"WhitespaceSplit"},{"type":"Digits","individual_digits":true}]}"#;
        let p: PreTokenizer = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), json);
        let words: Vec<String> = p
            .pre_tokenize_str("a1 b")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(words, ["a", "1", "b"]);
    }
}
