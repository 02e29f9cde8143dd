//! Rule-based pre-tokenizers: Whitespace, WhitespaceSplit, Punctuation, Digits,
//! CharDelimiterSplit.

use super::{PreTokenizedString, SplitDelimiterBehavior, split_at_matches};
use crate::utils::chars::{self, PUNCT};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

fn char_matches(text: &str, pred: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    text.char_indices()
        .filter(|&(_, c)| pred(c))
        .map(|(i, c)| (i, i + c.len_utf8()))
        .collect()
}

fn split_chars(
    pts: &mut PreTokenizedString,
    behavior: SplitDelimiterBehavior,
    pred: impl Fn(char) -> bool,
) {
    pts.split(|text, base, out| {
        let m = char_matches(text, &pred);
        split_at_matches(text.len(), &m, behavior, base, out);
    });
}

/// Words are runs of `\w` or runs of other non-space characters: the regex
/// `\w+|[^\w\s]+` (Hugging Face `pre_tokenizers.Whitespace`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Whitespace;

impl Whitespace {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        static RE: OnceLock<Regex> = OnceLock::new();
        let re = RE.get_or_init(|| Regex::new(r"\w+|[^\w\s]+").expect("static regex"));
        pts.split(|text, base, out| {
            out.extend(
                re.find_iter(text)
                    .map(|m| (base + m.start(), base + m.end())),
            );
        });
    }
}

/// Splits on whitespace only (Hugging Face `pre_tokenizers.WhitespaceSplit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhitespaceSplit;

impl WhitespaceSplit {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        split_chars(pts, SplitDelimiterBehavior::Removed, char::is_whitespace);
    }
}

fn isolated() -> SplitDelimiterBehavior {
    SplitDelimiterBehavior::Isolated
}

/// Splits at punctuation characters (Hugging Face `pre_tokenizers.Punctuation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Punctuation {
    /// What to do with each punctuation character (default `Isolated`).
    #[serde(default = "isolated")]
    pub behavior: SplitDelimiterBehavior,
}

impl Default for Punctuation {
    fn default() -> Self {
        Punctuation {
            behavior: isolated(),
        }
    }
}

impl Punctuation {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        split_chars(pts, self.behavior, |c| chars::is(c, PUNCT));
    }
}

/// Separates digits from the rest; with `individual_digits` each digit is its own word
/// (Hugging Face `pre_tokenizers.Digits`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Digits {
    /// One word per digit instead of one per run of digits.
    pub individual_digits: bool,
}

impl Digits {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        let b = if self.individual_digits {
            SplitDelimiterBehavior::Isolated
        } else {
            SplitDelimiterBehavior::Contiguous
        };
        split_chars(pts, b, |c| c.is_numeric());
    }
}

/// Splits on one delimiter character, removing it
/// (Hugging Face `pre_tokenizers.CharDelimiterSplit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CharDelimiterSplit {
    /// The delimiter.
    pub delimiter: char,
}

impl CharDelimiterSplit {
    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        let d = self.delimiter;
        split_chars(pts, SplitDelimiterBehavior::Removed, |c| c == d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizers::NormalizedString;

    fn words(f: impl Fn(&mut PreTokenizedString), s: &str) -> Vec<String> {
        let mut pts = PreTokenizedString::new(NormalizedString::new(s, 0));
        f(&mut pts);
        pts.get_splits()
            .into_iter()
            .map(|s| s.0.to_owned())
            .collect()
    }

    #[test]
    fn rule_based_splits() {
        assert_eq!(
            words(|p| Whitespace.pre_tokenize(p), "Hey man!! ok?"),
            ["Hey", "man", "!!", "ok", "?"]
        );
        assert_eq!(
            words(|p| WhitespaceSplit.pre_tokenize(p), " a\tb! "),
            ["a", "b!"]
        );
        assert_eq!(
            words(|p| Punctuation::default().pre_tokenize(p), "a,b"),
            ["a", ",", "b"]
        );
        let ind = Digits {
            individual_digits: true,
        };
        assert_eq!(
            words(|p| ind.pre_tokenize(p), "ab123"),
            ["ab", "1", "2", "3"]
        );
        assert_eq!(
            words(|p| Digits::default().pre_tokenize(p), "ab123c"),
            ["ab", "123", "c"]
        );
        let d = CharDelimiterSplit { delimiter: '|' };
        assert_eq!(words(|p| d.pre_tokenize(p), "a|b||c"), ["a", "b", "c"]);
    }
}
