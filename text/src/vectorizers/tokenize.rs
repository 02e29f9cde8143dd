//! Tokenization by `token_pattern` (scikit-learn `build_tokenizer`: `re.findall`).

use regex::Regex;

use super::config::DEFAULT_TOKEN_PATTERN;
use super::error::VectorizerError;
use super::pyunicode::{is_word, python_classes};

/// A compiled `token_pattern`.
#[derive(Debug, Clone)]
pub(crate) enum TokenPattern {
    /// `(?u)\b\w\w+\b` with Python's `\w`, scanned by hand.
    Default,
    /// Any other pattern, compiled by the `regex` crate after rewriting
    /// `\w \W \s \S` to Python's classes; `group` when its single capture
    /// group is the token.
    Regex { re: Regex, group: bool },
}

impl TokenPattern {
    /// Compiles a pattern; more than one capture group is an error, as in scikit-learn.
    pub(crate) fn compile(pattern: &str) -> Result<Self, VectorizerError> {
        if pattern == DEFAULT_TOKEN_PATTERN || pattern == r"\b\w\w+\b" {
            return Ok(Self::Default);
        }
        let invalid = |reason: String| VectorizerError::InvalidTokenPattern {
            pattern: pattern.to_string(),
            reason,
        };
        let re = Regex::new(&python_classes(pattern)).map_err(|e| invalid(e.to_string()))?;
        match re.captures_len() {
            1 => Ok(Self::Regex { re, group: false }),
            2 => Ok(Self::Regex { re, group: true }),
            _ => Err(invalid(
                "More than 1 capturing group in token pattern. Only a single group should be \
                 captured."
                    .into(),
            )),
        }
    }

    /// Calls `f` on each token of `text`, in order (`re.findall`).
    pub(crate) fn for_each_token<'a>(&self, text: &'a str, mut f: impl FnMut(&'a str)) {
        match self {
            Self::Default => scan_default(text, f),
            Self::Regex { re, group: false } => re.find_iter(text).for_each(|m| f(m.as_str())),
            Self::Regex { re, group: true } => re
                .captures_iter(text)
                .for_each(|c| f(c.get(1).map_or("", |m| m.as_str()))),
        }
    }
}

/// The character at byte `i` and its UTF-8 length.
#[inline]
fn char_at(text: &str, i: usize) -> (char, usize) {
    let b = text.as_bytes()[i];
    if b < 0x80 {
        (b as char, 1)
    } else {
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        (c, c.len_utf8())
    }
}

/// `(?u)\b\w\w+\b`: every maximal run of at least two Python word characters.
fn scan_default<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let n = text.len();
    let mut i = 0;
    while i < n {
        let (c, len) = char_at(text, i);
        if !is_word(c) {
            i += len;
            continue;
        }
        let start = i;
        let mut chars = 1;
        i += len;
        while i < n {
            let (c, len) = char_at(text, i);
            if !is_word(c) {
                break;
            }
            i += len;
            chars += 1;
        }
        if chars >= 2 {
            f(&text[start..i]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(pattern: &str, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        TokenPattern::compile(pattern)
            .unwrap()
            .for_each_token(text, |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn default_pattern_matches_python() {
        // Python: re.findall(r"(?u)\b\w\w+\b", ...)
        let text = "I'm a naïve x2 café-goer, 42 ½² __init__ e\u{301}t\u{e9}\u{301}!";
        assert_eq!(
            tokens(DEFAULT_TOKEN_PATTERN, text),
            ["naïve", "x2", "café", "goer", "42", "½²", "__init__", "té"]
        );
    }

    #[test]
    fn regex_patterns_and_groups() {
        assert_eq!(tokens(r"\S+", "a b,c  d"), ["a", "b,c", "d"]);
        assert_eq!(tokens(r"x(\d+)", "x1 y2 x34"), ["1", "34"]);
        assert!(TokenPattern::compile(r"(a)(b)").is_err());
        assert!(TokenPattern::compile(r"(").is_err());
    }
}
