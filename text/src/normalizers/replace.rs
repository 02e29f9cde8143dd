//! The Replace normalizer (Hugging Face `normalizers.Replace`).

use super::NormalizedString;
use crate::error::TextError;
use crate::utils::pattern::{Pattern, PatternSpec};
use serde::{Deserialize, Serialize};

/// Replaces every match of a string or regex with `content`
/// (Hugging Face `normalizers.Replace(pattern, content)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ReplaceJson", into = "ReplaceJson")]
pub struct Replace {
    pattern: Pattern,
    content: String,
}

#[derive(Serialize, Deserialize)]
struct ReplaceJson {
    pattern: PatternSpec,
    content: String,
}

impl TryFrom<ReplaceJson> for Replace {
    type Error = TextError;
    fn try_from(j: ReplaceJson) -> Result<Self, TextError> {
        Replace::new(j.pattern, j.content)
    }
}

impl From<Replace> for ReplaceJson {
    fn from(r: Replace) -> Self {
        ReplaceJson {
            pattern: r.pattern.spec().clone(),
            content: r.content,
        }
    }
}

impl Replace {
    /// Builds the normalizer; a bad regex gives [`TextError::Regex`].
    pub fn new(pattern: PatternSpec, content: impl Into<String>) -> Result<Self, TextError> {
        Ok(Replace {
            pattern: Pattern::new(pattern)?,
            content: content.into(),
        })
    }

    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        let matches = self.pattern.find_matches(n.get());
        for &(s, e) in matches.iter().rev() {
            n.replace_range(s, e, &self.content);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_tracks_offsets() {
        let r = Replace::new(PatternSpec::String("  ".into()), " ").unwrap();
        let mut n = NormalizedString::new("a  b    c", 0);
        r.normalize(&mut n);
        assert_eq!(n.get(), "a b  c");
        assert_eq!(n.original_range(5, 6), (8, 9));
    }
}
