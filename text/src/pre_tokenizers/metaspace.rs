//! Metaspace (SentencePiece-style spaces) and Split (pattern) pre-tokenizers.

use super::{PreTokenizedString, SplitDelimiterBehavior, split_at_matches};
use crate::error::TextError;
use crate::utils::pattern::{Pattern, PatternSpec};
use serde::{Deserialize, Serialize};

/// When Metaspace puts a replacement character in front of a word.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PrependScheme {
    /// Always (default).
    #[default]
    Always,
    /// Only for the split that starts the text.
    First,
    /// Never.
    Never,
}

fn replacement_default() -> char {
    '▁'
}

fn yes() -> bool {
    true
}

/// Replaces spaces with `▁` and (optionally) starts a word at each of them
/// (Hugging Face `pre_tokenizers.Metaspace`).
///
/// Reads older `tokenizer.json` files as Hugging Face does: `"add_prefix_space": false`
/// means `prepend_scheme` `never` (`true` keeps the given scheme), and `str_rep` is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "MetaspaceJson")]
pub struct Metaspace {
    /// The character that stands for a space (default `'▁'`).
    #[serde(default = "replacement_default")]
    pub replacement: char,
    /// When to put `replacement` in front of the text.
    #[serde(default)]
    pub prepend_scheme: PrependScheme,
    /// Split before every `replacement`.
    #[serde(default = "yes")]
    pub split: bool,
}

/// What `tokenizer.json` may hold, old fields included.
#[derive(Deserialize)]
struct MetaspaceJson {
    #[serde(default = "replacement_default")]
    replacement: char,
    #[serde(default)]
    prepend_scheme: PrependScheme,
    #[serde(default = "yes")]
    split: bool,
    #[serde(default)]
    add_prefix_space: Option<bool>,
}

impl From<MetaspaceJson> for Metaspace {
    fn from(j: MetaspaceJson) -> Self {
        Metaspace {
            replacement: j.replacement,
            prepend_scheme: match j.add_prefix_space {
                Some(false) => PrependScheme::Never,
                _ => j.prepend_scheme,
            },
            split: j.split,
        }
    }
}

impl Default for Metaspace {
    fn default() -> Self {
        Metaspace {
            replacement: '▁',
            prepend_scheme: PrependScheme::Always,
            split: true,
        }
    }
}

impl Metaspace {
    /// Rewrites and splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        let rep = self.replacement;
        let scheme = self.prepend_scheme;
        pts.map_chars(|orig_start, first, c, out| {
            let starts = c == ' ' || c == rep;
            let prepend = match scheme {
                PrependScheme::Always => !starts,
                PrependScheme::First => !starts && orig_start == 0,
                PrependScheme::Never => false,
            };
            if first && prepend {
                out.push(rep);
            }
            out.push(if c == ' ' { rep } else { c });
        });
        if self.split {
            pts.split(|text, base, out| {
                let m: Vec<(usize, usize)> = text
                    .match_indices(rep)
                    .map(|(i, s)| (i, i + s.len()))
                    .collect();
                split_at_matches(
                    text.len(),
                    &m,
                    SplitDelimiterBehavior::MergedWithNext,
                    base,
                    out,
                );
            });
        }
    }
}

/// Splits on a string or regex pattern (Hugging Face `pre_tokenizers.Split`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SplitJson", into = "SplitJson")]
pub struct Split {
    pattern: Pattern,
    /// What to do with the matches.
    pub behavior: SplitDelimiterBehavior,
    /// Split on what does *not* match instead.
    pub invert: bool,
}

#[derive(Serialize, Deserialize)]
struct SplitJson {
    pattern: PatternSpec,
    behavior: SplitDelimiterBehavior,
    #[serde(default)]
    invert: bool,
}

impl TryFrom<SplitJson> for Split {
    type Error = TextError;
    fn try_from(j: SplitJson) -> Result<Self, TextError> {
        Split::new(j.pattern, j.behavior, j.invert)
    }
}

impl From<Split> for SplitJson {
    fn from(s: Split) -> Self {
        SplitJson {
            pattern: s.pattern.spec().clone(),
            behavior: s.behavior,
            invert: s.invert,
        }
    }
}

impl Split {
    /// Builds the pre-tokenizer; a bad regex gives [`TextError::Regex`].
    pub fn new(
        pattern: PatternSpec,
        behavior: SplitDelimiterBehavior,
        invert: bool,
    ) -> Result<Self, TextError> {
        Ok(Split {
            pattern: Pattern::new(pattern)?,
            behavior,
            invert,
        })
    }

    /// Splits every non-added split of `pts` in place.
    pub fn pre_tokenize(&self, pts: &mut PreTokenizedString) {
        pts.split(|text, base, out| {
            let mut m = self.pattern.find_matches(text);
            if self.invert {
                let mut gaps = Vec::with_capacity(m.len() + 1);
                let mut pos = 0;
                for &(s, e) in &m {
                    if pos < s {
                        gaps.push((pos, s));
                    }
                    pos = e;
                }
                if pos < text.len() {
                    gaps.push((pos, text.len()));
                }
                m = gaps;
            }
            split_at_matches(text.len(), &m, self.behavior, base, out);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalizers::NormalizedString;

    fn words(f: impl Fn(&mut PreTokenizedString), s: &str) -> Vec<(String, (usize, usize))> {
        let mut pts = PreTokenizedString::new(NormalizedString::new(s, 0));
        f(&mut pts);
        pts.get_splits()
            .into_iter()
            .map(|(w, o)| (w.to_owned(), o))
            .collect()
    }

    #[test]
    fn metaspace_like_hf() {
        // Python: Metaspace().pre_tokenize_str("Hey friend") ==
        //   [('▁Hey', (0, 3)), ('▁friend', (3, 10))]
        let got = words(|p| Metaspace::default().pre_tokenize(p), "Hey friend");
        assert_eq!(got, [("▁Hey".into(), (0, 3)), ("▁friend".into(), (3, 10))]);
    }

    #[test]
    fn legacy_add_prefix_space_reads_as_hf() {
        let old = r#"{"replacement":"▁","add_prefix_space":false,"str_rep":"▁"}"#;
        let m: Metaspace = serde_json::from_str(old).unwrap();
        assert_eq!(m.prepend_scheme, PrependScheme::Never);
        let old = r#"{"replacement":"▁","add_prefix_space":true}"#;
        let m: Metaspace = serde_json::from_str(old).unwrap();
        assert_eq!(m, Metaspace::default());
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"replacement":"▁","prepend_scheme":"always","split":true}"#
        );
    }

    #[test]
    fn split_regex_inverted() {
        let s = Split::new(
            PatternSpec::Regex(r"\w+".into()),
            SplitDelimiterBehavior::Removed,
            true,
        )
        .unwrap();
        let got: Vec<String> = words(|p| s.pre_tokenize(p), "ab, cd")
            .into_iter()
            .map(|w| w.0)
            .collect();
        assert_eq!(got, ["ab", "cd"]);
    }
}
