//! `tokenizer.json` reading and writing, in Hugging Face's format.

use super::{AddedToken, Tokenizer};
use crate::decoders::Decoder;
use crate::error::{Result, TextError};
use crate::models::{Model, Vocab};
use crate::normalizers::Normalizer;
use crate::pre_tokenizers::PreTokenizer;
use crate::processors::PostProcessor;
use crate::utils::padding::PaddingParams;
use crate::utils::truncation::TruncationParams;
use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Rejects an added-token id that the combined token table could not hold (at or above
/// [`Vocab::id_limit`] of the model's tokens plus the new added ones, e.g. `u32::MAX`),
/// naming the token's place in `added_tokens`. Hugging Face accepts any id; Kiln keeps an
/// id-indexed table, so such an id would otherwise cost gigabytes.
fn check_added_ids(added: &[AddedToken], model: &Vocab) -> Result<()> {
    let mut new = FxHashSet::default();
    for t in added {
        if model.id(&t.content).is_none() {
            new.insert(t.content.as_str());
        }
    }
    let limit = Vocab::id_limit(model.len() + new.len());
    match added.iter().position(|t| u64::from(t.id) >= limit) {
        Some(i) => Err(TextError::config(
            format!("added_tokens[{i}].id"),
            format!(
                "id {} of {:?} is far beyond the {} tokens (the limit is {limit})",
                added[i].id,
                added[i].content,
                model.len() + new.len()
            ),
        )),
        None => Ok(()),
    }
}

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

    /// Every length, count and id of the document is checked here or by the parts it builds,
    /// so a loaded tokenizer never panics or allocates without bound when it encodes:
    /// padding and truncation lengths are at most [`crate::utils::MAX_SEQUENCE_LENGTH`],
    /// vocabulary and added-token ids stay below [`Vocab::id_limit`], and every other list
    /// (merges, template pieces, special-token ids) is as long as the document itself.
    fn from_json_bytes(json: &[u8], what: &str) -> Result<Self> {
        let j: TokenizerJson = serde_json::from_slice(json).map_err(|e| TextError::Json {
            what: what.to_owned(),
            source: e,
        })?;
        Self::from_parsed(j).map_err(|e| e.in_file(what))
    }

    fn from_parsed(j: TokenizerJson) -> Result<Self> {
        check_added_ids(&j.added_tokens, j.model.vocab())?;
        let mut t = Tokenizer::new(j.model)
            .with_normalizer(j.normalizer)
            .with_pre_tokenizer(j.pre_tokenizer)
            .with_post_processor(j.post_processor)
            .with_decoder(j.decoder)
            .try_with_truncation(j.truncation)?
            .try_with_padding(j.padding)?;
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
