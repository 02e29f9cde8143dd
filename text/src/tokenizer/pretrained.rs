//! Loading the tokenizer of a Hugging Face model folder (transformers'
//! `AutoTokenizer.from_pretrained(dir)` for BERT-family folders).

use super::Tokenizer;
use crate::error::{Result, TextError};
use crate::normalizers::Normalizer;
use std::path::Path;

/// The `tokenizer_config.json` keys that shape a BERT tokenizer (transformers'
/// `BertTokenizerFast` arguments). A key left out of the file is `None`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct BertOptions {
    /// `do_lower_case`: lowercase (and, unless `strip_accents` says otherwise, strip accents).
    do_lower_case: Option<bool>,
    /// `strip_accents`: `null` follows `do_lower_case`.
    strip_accents: Option<bool>,
    /// `tokenize_chinese_chars`: put spaces around CJK ideographs.
    tokenize_chinese_chars: Option<bool>,
}

impl BertOptions {
    /// Reads the keys from `dir/tokenizer_config.json`; all `None` when the file is absent.
    /// A malformed file, or a key of the wrong type, is an error naming the file and the key.
    fn read(dir: &Path) -> Result<BertOptions> {
        let path = dir.join("tokenizer_config.json");
        if !path.is_file() {
            return Ok(BertOptions::default());
        }
        let what = path.display().to_string();
        let bytes = std::fs::read(&path).map_err(|e| TextError::io(&path, e))?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|source| TextError::Json {
                what: what.clone(),
                source,
            })?;
        if !value.is_object() {
            return Err(
                TextError::config("tokenizer_config", "expected a JSON object").in_file(&what),
            );
        }
        let flag = |key: &str| -> Result<Option<bool>> {
            match value.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::Bool(b)) => Ok(Some(*b)),
                Some(other) => Err(TextError::config(
                    key,
                    format!("expected true, false or null, got {other}"),
                )
                .in_file(&what)),
            }
        };
        Ok(BertOptions {
            do_lower_case: flag("do_lower_case")?,
            strip_accents: flag("strip_accents")?,
            tokenize_chinese_chars: flag("tokenize_chinese_chars")?,
        })
    }

    /// Sets the keys the file gives on a BertNormalizer (transformers' `BertTokenizerFast`
    /// rebuilds its normalizer the same way); other normalizers are left alone.
    fn apply(&self, tokenizer: Tokenizer) -> Tokenizer {
        let Some(Normalizer::BertNormalizer(n)) = tokenizer.normalizer() else {
            return tokenizer;
        };
        let mut n = *n;
        if let Some(lowercase) = self.do_lower_case {
            n.lowercase = lowercase;
        }
        if self.strip_accents.is_some() {
            n.strip_accents = self.strip_accents;
        }
        if let Some(chinese) = self.tokenize_chinese_chars {
            n.handle_chinese_chars = chinese;
        }
        tokenizer.with_normalizer(Some(Normalizer::BertNormalizer(n)))
    }
}

impl Tokenizer {
    /// The tokenizer of a Hugging Face model folder, as transformers'
    /// `AutoTokenizer.from_pretrained(dir)` builds it for BERT-family models:
    ///
    /// - `dir/tokenizer.json` when present (read as [`Tokenizer::from_file`]);
    /// - else `dir/vocab.txt` as BERT's WordPiece tokenizer ([`Tokenizer::bert_wordpiece`]).
    ///
    /// Either way `dir/tokenizer_config.json`, when present, sets the BertNormalizer's
    /// `do_lower_case` (default `true`), `strip_accents` and `tokenize_chinese_chars`.
    ///
    /// Padding and truncation stored in `tokenizer.json` are dropped, because transformers
    /// applies them only when a call asks (`padding=True`, `truncation=True`); set them with
    /// [`Tokenizer::with_padding`] and [`Tokenizer::with_truncation`]. (sentence-transformers'
    /// MiniLM, for one, stores a fixed padding to 128 that `tokenizer(text)` does not apply.)
    ///
    /// # Errors
    /// [`TextError::NoTokenizerFiles`] naming `dir` when it holds neither file; otherwise the
    /// errors of reading the files, which name the file.
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<Self> {
        let dir = dir.as_ref();
        let json = dir.join("tokenizer.json");
        let vocab = dir.join("vocab.txt");
        let options = BertOptions::read(dir)?;
        let tokenizer = if json.is_file() {
            Tokenizer::from_file(&json)?
                .with_padding(None)
                .with_truncation(None)
        } else if vocab.is_file() {
            Tokenizer::bert_from_vocab_file(&vocab, options.do_lower_case.unwrap_or(true))?
        } else {
            return Err(TextError::NoTokenizerFiles {
                dir: dir.to_path_buf(),
            });
        };
        Ok(options.apply(tokenizer))
    }
}
