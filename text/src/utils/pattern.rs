//! The string-or-regex pattern used by the `Replace` normalizer and `Split` pre-tokenizer.

use crate::error::{Result, TextError};
use serde::{Deserialize, Serialize};

/// What `tokenizer.json` stores: `{"String": "..."}` or `{"Regex": "..."}`
/// (Hugging Face's `SplitPattern` / `ReplacePattern`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PatternSpec {
    /// A literal string.
    String(String),
    /// A regular expression (Rust `regex` syntax; Hugging Face uses Oniguruma, which accepts
    /// a superset, e.g. look-arounds, that is rejected here with [`TextError::Regex`]).
    Regex(String),
}

/// A compiled [`PatternSpec`].
#[derive(Debug, Clone)]
pub struct Pattern {
    spec: PatternSpec,
    regex: Option<regex::Regex>,
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Pattern {
    /// Compiles `spec`; a bad regex gives [`TextError::Regex`].
    pub fn new(spec: PatternSpec) -> Result<Self> {
        let regex = match &spec {
            PatternSpec::String(_) => None,
            PatternSpec::Regex(r) => Some(regex::Regex::new(r).map_err(|e| TextError::Regex {
                pattern: r.clone(),
                message: e.to_string(),
            })?),
        };
        Ok(Pattern { spec, regex })
    }

    /// The specification this pattern was compiled from.
    pub fn spec(&self) -> &PatternSpec {
        &self.spec
    }

    /// Byte ranges of the non-empty, non-overlapping matches in `text`, left to right.
    pub fn find_matches(&self, text: &str) -> Vec<(usize, usize)> {
        match (&self.spec, &self.regex) {
            (_, Some(re)) => re
                .find_iter(text)
                .filter(|m| !m.is_empty())
                .map(|m| (m.start(), m.end()))
                .collect(),
            (PatternSpec::String(s), None) if !s.is_empty() => text
                .match_indices(s.as_str())
                .map(|(i, m)| (i, i + m.len()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_and_regex_matches() {
        let p = Pattern::new(PatternSpec::String("ab".into())).unwrap();
        assert_eq!(p.find_matches("abxab"), vec![(0, 2), (3, 5)]);
        let r = Pattern::new(PatternSpec::Regex(r"\d+".into())).unwrap();
        assert_eq!(r.find_matches("a12b3"), vec![(1, 3), (4, 5)]);
        assert!(matches!(
            Pattern::new(PatternSpec::Regex("(".into())),
            Err(TextError::Regex { .. })
        ));
    }
}
