//! The Replace decoder (Hugging Face `decoders.Replace`).

use crate::error::TextError;
use crate::utils::pattern::{Pattern, PatternSpec};
use serde::{Deserialize, Serialize};

/// Replaces every match of a string or regex in each token with `content`
/// (Hugging Face `decoders.Replace(pattern, content)`, e.g. `"▁"` → `" "`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ReplaceJson", into = "ReplaceJson")]
pub struct ReplaceDecoder {
    pattern: Pattern,
    content: String,
}

#[derive(Serialize, Deserialize)]
struct ReplaceJson {
    pattern: PatternSpec,
    content: String,
}

impl TryFrom<ReplaceJson> for ReplaceDecoder {
    type Error = TextError;
    fn try_from(j: ReplaceJson) -> Result<Self, TextError> {
        ReplaceDecoder::new(j.pattern, j.content)
    }
}

impl From<ReplaceDecoder> for ReplaceJson {
    fn from(r: ReplaceDecoder) -> Self {
        ReplaceJson {
            pattern: r.pattern.spec().clone(),
            content: r.content,
        }
    }
}

impl ReplaceDecoder {
    /// Builds the decoder; a bad regex gives [`TextError::Regex`].
    pub fn new(pattern: PatternSpec, content: impl Into<String>) -> Result<Self, TextError> {
        Ok(ReplaceDecoder {
            pattern: Pattern::new(pattern)?,
            content: content.into(),
        })
    }

    /// Rewrites every token.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        tokens
            .into_iter()
            .map(|t| {
                let mut out = String::with_capacity(t.len());
                let mut pos = 0;
                for (s, e) in self.pattern.find_matches(&t) {
                    out.push_str(&t[pos..s]);
                    out.push_str(&self.content);
                    pos = e;
                }
                out.push_str(&t[pos..]);
                out
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_in_each_token() {
        let d = ReplaceDecoder::new(PatternSpec::String("▁".into()), " ").unwrap();
        let t = ["▁Hey", "▁▁x"].map(String::from).to_vec();
        assert_eq!(d.decode_chain(t), [" Hey", "  x"]);
    }
}
