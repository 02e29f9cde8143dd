//! `tokenizer.json` reading and writing, in Hugging Face's format.

use super::{AddedToken, Tokenizer};
use crate::decoders::Decoder;
use crate::error::{Result, TextError};
use crate::models::Model;
use crate::normalizers::Normalizer;
use crate::pre_tokenizers::PreTokenizer;
use crate::processors::PostProcessor;
use crate::utils::padding::PaddingParams;
use crate::utils::truncation::TruncationParams;
use serde::{Deserialize, Serialize};
use std::path::Path;

#[derive(Deserialize)]
struct TokenizerJson {
    #[serde(default)]
    truncation: Option<TruncationParams>,
    #[serde(default)]
    padding: Option<PaddingParams>,
    #[serde(default)]
    added_tokens: Vec<AddedToken>,
    #[serde(default)]
    normalizer: Option<Normalizer>,
    #[serde(default)]
    pre_tokenizer: Option<PreTokenizer>,
    model: Model,
    #[serde(default)]
    post_processor: Option<PostProcessor>,
    #[serde(default)]
    decoder: Option<Decoder>,
}

#[derive(Serialize)]
struct TokenizerJsonOut<'a> {
    version: &'static str,
    truncation: Option<&'a TruncationParams>,
    padding: Option<&'a PaddingParams>,
    added_tokens: &'a [AddedToken],
    normalizer: Option<&'a Normalizer>,
    pre_tokenizer: Option<&'a PreTokenizer>,
    model: &'a Model,
    post_processor: Option<&'a PostProcessor>,
    decoder: Option<&'a Decoder>,
}

impl Tokenizer {
    /// Parses a `tokenizer.json` document; errors name the field, line and column.
    pub fn from_json_str(json: &str) -> Result<Self> {
        Self::from_json_bytes(json.as_bytes(), "tokenizer.json")
    }

    fn from_json_bytes(json: &[u8], what: &str) -> Result<Self> {
        let j: TokenizerJson = serde_json::from_slice(json).map_err(|e| TextError::Json {
            what: what.to_owned(),
            source: e,
        })?;
        let mut t = Tokenizer::new(j.model)
            .with_normalizer(j.normalizer)
            .with_pre_tokenizer(j.pre_tokenizer)
            .with_post_processor(j.post_processor)
            .with_decoder(j.decoder)
            .with_truncation(j.truncation)
            .with_padding(j.padding);
        t.set_added_tokens(j.added_tokens);
        Ok(t)
    }

    /// Loads a `tokenizer.json` file (Hugging Face `Tokenizer.from_file`).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| TextError::io(path, e))?;
        Self::from_json_bytes(&bytes, &path.display().to_string())
    }

    /// The `tokenizer.json` text (Hugging Face `to_str(pretty)`).
    pub fn to_json_string(&self, pretty: bool) -> String {
        let out = TokenizerJsonOut {
            version: "1.0",
            truncation: self.truncation.as_ref(),
            padding: self.padding.as_ref(),
            added_tokens: &self.added_tokens,
            normalizer: self.normalizer.as_ref(),
            pre_tokenizer: self.pre_tokenizer.as_ref(),
            model: &self.model,
            post_processor: self.post_processor.as_ref(),
            decoder: self.decoder.as_ref(),
        };
        let r = if pretty {
            serde_json::to_string_pretty(&out)
        } else {
            serde_json::to_string(&out)
        };
        // Every field is a plain value with string keys; serialization cannot fail.
        r.unwrap_or_default()
    }

    /// Writes `tokenizer.json` (Hugging Face `save(path, pretty)`).
    pub fn save(&self, path: impl AsRef<Path>, pretty: bool) -> Result<()> {
        let path = path.as_ref();
        std::fs::write(path, self.to_json_string(pretty)).map_err(|e| TextError::io(path, e))
    }
}
