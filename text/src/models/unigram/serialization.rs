//! The `"model"` object of a Unigram `tokenizer.json`:
//! `{"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ...], "byte_fallback": false}`.

use super::Unigram;
use crate::error::{Result, TextError};
use serde::{Deserialize, Serialize};

/// The JSON shape Hugging Face writes for a Unigram model (unknown fields are ignored, as
/// Hugging Face's visitor ignores them).
#[derive(Deserialize)]
pub(crate) struct UnigramJson {
    #[serde(default)]
    unk_id: Option<usize>,
    vocab: Vec<(String, f64)>,
    #[serde(default)]
    byte_fallback: bool,
}

/// What Kiln writes: the fields in Hugging Face's order (`type` comes from the enum tag).
#[derive(Serialize)]
pub(crate) struct UnigramJsonOut<'a> {
    unk_id: u32,
    vocab: &'a [(String, f64)],
    byte_fallback: bool,
}

impl Unigram {
    /// Builds the model from its JSON section. Hugging Face accepts `"unk_id": null` and
    /// fails later on the first unknown character; Kiln needs the unknown piece up front
    /// and reports a missing one as an error naming `model.unk_id`.
    pub(crate) fn from_json(j: UnigramJson) -> Result<Self> {
        let unk_id = j.unk_id.ok_or_else(|| {
            TextError::config(
                "model.unk_id",
                "missing: a Unigram model needs the id of its unknown piece",
            )
        })?;
        Unigram::new(j.vocab, unk_id, j.byte_fallback)
    }

    pub(crate) fn to_json(&self) -> UnigramJsonOut<'_> {
        UnigramJsonOut {
            unk_id: self.unk_id(),
            vocab: self.pieces(),
            byte_fallback: self.byte_fallback(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::models::Model;

    #[test]
    fn json_round_trip_in_hf_field_order() {
        let json = r#"{"type":"Unigram","unk_id":1,"vocab":[["a",-0.5],["<unk>",0.0],["▁ab",-1.25]],"byte_fallback":false}"#;
        let m: Model = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), json);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (r#"{"type":"Unigram","unk_id":0,"vocab":[]}"#, "model.vocab"),
            (r#"{"type":"Unigram","vocab":[["a",0.0]]}"#, "model.unk_id"),
            (
                r#"{"type":"Unigram","unk_id":null,"vocab":[["a",0.0]]}"#,
                "model.unk_id",
            ),
            (
                r#"{"type":"Unigram","unk_id":5,"vocab":[["a",0.0]]}"#,
                "model.unk_id",
            ),
            (
                r#"{"type":"Unigram","unk_id":0,"vocab":[["a",1e999]]}"#,
                "number out of range",
            ),
            (
                r#"{"type":"Unigram","unk_id":0,"vocab":[["a"]]}"#,
                "invalid length",
            ),
        ];
        for (json, field) in cases {
            let e = serde_json::from_str::<Model>(json).unwrap_err().to_string();
            assert!(e.contains(field), "{json}: {e}");
        }
    }
}
