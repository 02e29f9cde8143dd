//! The WordPiece decoder (Hugging Face `decoders.WordPiece`).

use serde::{Deserialize, Serialize};

/// Joins WordPiece tokens back into text: `##` continuations are glued to the previous
/// token, other tokens get a space, and `cleanup` removes the spaces BERT tokenization puts
/// before punctuation and English contractions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPieceDecoder {
    /// The continuation prefix (default `"##"`).
    pub prefix: String,
    /// Undo tokenization spaces (`" ."` → `"."`, `" n't"` → `"n't"`, …).
    pub cleanup: bool,
}

impl Default for WordPieceDecoder {
    fn default() -> Self {
        WordPieceDecoder {
            prefix: "##".into(),
            cleanup: true,
        }
    }
}

/// Hugging Face's `cleanup` of tokenization spaces.
pub fn cleanup(s: &str) -> String {
    s.replace(" .", ".")
        .replace(" ?", "?")
        .replace(" !", "!")
        .replace(" ,", ",")
        .replace(" ' ", "'")
        .replace(" n't", "n't")
        .replace(" 'm", "'m")
        .replace(" do not", " don't")
        .replace(" 's", "'s")
        .replace(" 've", "'ve")
        .replace(" 're", "'re")
}

impl WordPieceDecoder {
    /// Decodes tokens one by one (Hugging Face `decode_chain`).
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        tokens
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let t = if i == 0 {
                    t
                } else if let Some(rest) = t.strip_prefix(self.prefix.as_str()) {
                    rest.to_owned()
                } else {
                    format!(" {t}")
                };
                if self.cleanup { cleanup(&t) } else { t }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glues_continuations_and_cleans() {
        let d = WordPieceDecoder::default();
        let toks = ["i", "heart", "genera", "##tive", "ai", "!"]
            .map(String::from)
            .to_vec();
        assert_eq!(d.decode_chain(toks).concat(), "i heart generative ai!");
    }
}
