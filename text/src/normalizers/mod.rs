//! Normalizers: the first stage of the pipeline, cleaning text while keeping offsets
//! (Hugging Face `tokenizers.normalizers`).

mod basic;
mod bert;
mod normalized_string;
mod precompiled;
mod replace;
mod unicode;

pub use basic::{Lowercase, Prepend, Strip, StripAccents};
pub use bert::BertNormalizer;
pub use normalized_string::NormalizedString;
pub use precompiled::Precompiled;
pub use replace::Replace;
pub use unicode::{Nfc, Nfd, Nfkc, Nfkd};

use serde::{Deserialize, Serialize};

/// Any normalizer, tagged by `"type"` as in `tokenizer.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Normalizer {
    /// [`BertNormalizer`].
    BertNormalizer(BertNormalizer),
    /// [`Lowercase`].
    Lowercase(Lowercase),
    /// [`StripAccents`].
    StripAccents(StripAccents),
    /// [`Strip`].
    Strip(Strip),
    /// [`Prepend`].
    Prepend(Prepend),
    /// [`Replace`].
    Replace(Replace),
    /// [`Precompiled`].
    Precompiled(Precompiled),
    /// [`Nfd`].
    #[serde(rename = "NFD")]
    Nfd(Nfd),
    /// [`Nfkd`].
    #[serde(rename = "NFKD")]
    Nfkd(Nfkd),
    /// [`Nfc`].
    #[serde(rename = "NFC")]
    Nfc(Nfc),
    /// [`Nfkc`].
    #[serde(rename = "NFKC")]
    Nfkc(Nfkc),
    /// Several normalizers applied in order (Hugging Face `normalizers.Sequence`).
    Sequence {
        /// The normalizers, first applied first.
        normalizers: Vec<Normalizer>,
    },
}

impl Normalizer {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        match self {
            Normalizer::BertNormalizer(x) => x.normalize(n),
            Normalizer::Lowercase(x) => x.normalize(n),
            Normalizer::StripAccents(x) => x.normalize(n),
            Normalizer::Strip(x) => x.normalize(n),
            Normalizer::Prepend(x) => x.normalize(n),
            Normalizer::Replace(x) => x.normalize(n),
            Normalizer::Precompiled(x) => x.normalize(n),
            Normalizer::Nfd(x) => x.normalize(n),
            Normalizer::Nfkd(x) => x.normalize(n),
            Normalizer::Nfc(x) => x.normalize(n),
            Normalizer::Nfkc(x) => x.normalize(n),
            Normalizer::Sequence { normalizers } => {
                for x in normalizers {
                    x.normalize(n);
                }
            }
        }
    }

    /// Normalizes a plain string (Hugging Face `normalize_str`).
    pub fn normalize_str(&self, text: &str) -> String {
        let mut n = NormalizedString::new(text, 0);
        self.normalize(&mut n);
        n.get().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_uses_hf_names() {
        let json = r#"{"type":"Sequence","normalizers":[{"type":"NFD"},{"type":"StripAccents"},{"type":"Lowercase"},{"type":"Replace","pattern":{"String":"x"},"content":"y"}]}"#;
        let n: Normalizer = serde_json::from_str(json).unwrap();
        assert_eq!(n.normalize_str("ÉXé"), "eye");
        assert_eq!(serde_json::to_string(&n).unwrap(), json);
    }
}
