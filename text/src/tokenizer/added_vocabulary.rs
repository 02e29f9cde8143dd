//! Added tokens: strings matched in the raw text before the model runs (`[CLS]`, `<mask>`, …).

use serde::{Deserialize, Serialize};

/// A token added on top of the model vocabulary (Hugging Face `AddedToken`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AddedToken {
    /// Its id.
    pub id: u32,
    /// The text to match.
    pub content: String,
    /// Only match when not inside a word.
    #[serde(default)]
    pub single_word: bool,
    /// Also swallow the whitespace on its left.
    #[serde(default)]
    pub lstrip: bool,
    /// Also swallow the whitespace on its right.
    #[serde(default)]
    pub rstrip: bool,
    /// Match in the normalized text (true) or the raw text (false).
    #[serde(default = "yes")]
    pub normalized: bool,
    /// A special token (skipped by `decode(.., skip_special_tokens = true)`).
    #[serde(default)]
    pub special: bool,
}

fn yes() -> bool {
    true
}

/// Leftmost-longest matcher over the added tokens of one kind (raw or normalized).
#[derive(Debug, Clone, Default)]
pub(crate) struct Matcher {
    /// Indices into the token list, grouped by first byte, longest first.
    by_first: Vec<Vec<usize>>,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Matcher {
    pub(crate) fn new(tokens: &[AddedToken], normalized: bool) -> Self {
        let mut by_first = vec![Vec::new(); 256];
        let mut any = false;
        for (i, t) in tokens.iter().enumerate() {
            if t.normalized == normalized && !t.content.is_empty() {
                by_first[t.content.as_bytes()[0] as usize].push(i);
                any = true;
            }
        }
        if !any {
            return Matcher::default();
        }
        for v in &mut by_first {
            v.sort_by_key(|&i| std::cmp::Reverse(tokens[i].content.len()));
        }
        Matcher { by_first }
    }

    /// Splits `text` into `(added id or None, byte range)` pieces, as Hugging Face's
    /// `AddedVocabulary::find_matches` does (single_word, lstrip and rstrip included).
    pub(crate) fn find(
        &self,
        text: &str,
        tokens: &[AddedToken],
    ) -> Vec<(Option<u32>, usize, usize)> {
        let mut out = Vec::new();
        if self.by_first.is_empty() {
            return out;
        }
        let bytes = text.as_bytes();
        let mut start_offset = 0;
        let mut i = 0;
        while i < bytes.len() {
            let cands = &self.by_first[bytes[i] as usize];
            let hit = cands
                .iter()
                .find(|&&k| bytes[i..].starts_with(tokens[k].content.as_bytes()));
            let Some(&k) = hit else {
                i += 1;
                continue;
            };
            let t = &tokens[k];
            let (mut s, mut e) = (i, i + t.content.len());
            i = e;
            if t.single_word {
                let before = text[..s].chars().next_back().is_some_and(is_word_char);
                let after = text[e..].chars().next().is_some_and(is_word_char);
                if before || after {
                    continue;
                }
            }
            if t.lstrip {
                let trimmed = text[..s].trim_end().len();
                s = trimmed.max(start_offset);
            }
            if t.rstrip {
                e += text[e..].len() - text[e..].trim_start().len();
            }
            if start_offset < s {
                out.push((None, start_offset, s));
            }
            out.push((Some(t.id), s, e));
            start_offset = e;
            i = i.max(e);
        }
        if out.is_empty() {
            return out;
        }
        if start_offset < text.len() {
            out.push((None, start_offset, text.len()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(id: u32, c: &str) -> AddedToken {
        AddedToken {
            id,
            content: c.into(),
            single_word: false,
            lstrip: false,
            rstrip: false,
            normalized: false,
            special: true,
        }
    }

    #[test]
    fn leftmost_longest_with_strip() {
        let mut toks = vec![tok(1, "[A]"), tok(2, "[A][B]"), tok(3, "<m>")];
        toks[2].lstrip = true;
        toks[2].rstrip = true;
        let m = Matcher::new(&toks, false);
        let s = "x[A][B]y [A] z <m>  w";
        let got = m.find(s, &toks);
        let pieces: Vec<(Option<u32>, &str)> =
            got.iter().map(|&(id, a, b)| (id, &s[a..b])).collect();
        assert_eq!(
            pieces,
            [
                (None, "x"),
                (Some(2), "[A][B]"),
                (None, "y "),
                (Some(1), "[A]"),
                (None, " z"),
                (Some(3), " <m>  "),
                (None, "w")
            ]
        );
        assert!(m.find("nothing here", &toks).is_empty());
    }
}
