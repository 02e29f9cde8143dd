//! BPE file formats: the `"model"` object of `tokenizer.json`, GPT-2's `vocab.json` +
//! `merges.txt`.

use super::{Bpe, BpeConfig};
use crate::error::{Result, TextError};
use crate::models::Vocab;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// A merge as written by tokenizers ≥ 0.20 (`["a", "b"]`) or before (`"a b"`).
#[derive(Deserialize)]
#[serde(untagged)]
enum MergeJson {
    Pair(String, String),
    Joined(String),
}

/// The JSON shape Hugging Face writes for a BPE model.
#[derive(Deserialize)]
pub(crate) struct BpeJson {
    #[serde(default)]
    dropout: Option<f32>,
    #[serde(default)]
    unk_token: Option<String>,
    #[serde(default)]
    continuing_subword_prefix: Option<String>,
    #[serde(default)]
    end_of_word_suffix: Option<String>,
    #[serde(default)]
    fuse_unk: bool,
    #[serde(default)]
    byte_fallback: bool,
    #[serde(default)]
    ignore_merges: bool,
    vocab: HashMap<String, u32>,
    merges: Vec<MergeJson>,
}

#[derive(Serialize)]
pub(crate) struct BpeJsonOut<'a> {
    dropout: Option<f32>,
    unk_token: Option<&'a str>,
    continuing_subword_prefix: Option<&'a str>,
    end_of_word_suffix: Option<&'a str>,
    fuse_unk: bool,
    byte_fallback: bool,
    ignore_merges: bool,
    vocab: &'a Vocab,
    merges: Vec<(&'a str, &'a str)>,
}

fn split_merge(line: &str, what: &str, n: usize) -> Result<(String, String)> {
    let mut parts = line.split(' ');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), None) => Ok((a.to_owned(), b.to_owned())),
        _ => Err(TextError::Line {
            what: what.to_owned(),
            line: n,
            message: format!("expected two tokens separated by one space, got {line:?}"),
        }),
    }
}

impl Bpe {
    pub(crate) fn from_json(j: BpeJson) -> Result<Self> {
        let vocab = Vocab::from_pairs(j.vocab, "model.vocab")?;
        let merges = j
            .merges
            .into_iter()
            .enumerate()
            .map(|(i, m)| match m {
                MergeJson::Pair(a, b) => Ok((a, b)),
                MergeJson::Joined(s) => split_merge(&s, "model.merges", i + 1),
            })
            .collect::<Result<Vec<_>>>()?;
        let config = BpeConfig {
            dropout: j.dropout,
            dropout_seed: 0,
            unk_token: j.unk_token,
            continuing_subword_prefix: j.continuing_subword_prefix,
            end_of_word_suffix: j.end_of_word_suffix,
            fuse_unk: j.fuse_unk,
            byte_fallback: j.byte_fallback,
            ignore_merges: j.ignore_merges,
        };
        Bpe::new(vocab, merges, config)
    }

    pub(crate) fn to_json(&self) -> BpeJsonOut<'_> {
        let c = self.config();
        BpeJsonOut {
            dropout: c.dropout,
            unk_token: c.unk_token.as_deref(),
            continuing_subword_prefix: c.continuing_subword_prefix.as_deref(),
            end_of_word_suffix: c.end_of_word_suffix.as_deref(),
            fuse_unk: c.fuse_unk,
            byte_fallback: c.byte_fallback,
            ignore_merges: c.ignore_merges,
            vocab: self.vocab(),
            merges: self.merges(),
        }
    }

    /// Parses GPT-2's `merges.txt` text: an optional `#version` line, then one `a b` merge
    /// per line; errors name the line.
    pub fn parse_merges_txt(text: &str) -> Result<Vec<(String, String)>> {
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.starts_with("#version") && !l.is_empty())
            .map(|(i, l)| split_merge(l, "merges.txt", i + 1))
            .collect()
    }

    /// Loads GPT-2's `vocab.json` and `merges.txt` with `config`.
    pub fn from_files(
        vocab_json: impl AsRef<Path>,
        merges_txt: impl AsRef<Path>,
        config: BpeConfig,
    ) -> Result<Self> {
        let (vp, mp) = (vocab_json.as_ref(), merges_txt.as_ref());
        let vbytes = std::fs::read(vp).map_err(|e| TextError::io(vp, e))?;
        let map: HashMap<String, u32> =
            serde_json::from_slice(&vbytes).map_err(|e| TextError::Json {
                what: vp.display().to_string(),
                source: e,
            })?;
        let mbytes = std::fs::read(mp).map_err(|e| TextError::io(mp, e))?;
        let mtext = std::str::from_utf8(&mbytes).map_err(|e| TextError::Line {
            what: mp.display().to_string(),
            line: 1 + mbytes[..e.valid_up_to()]
                .iter()
                .filter(|&&b| b == b'\n')
                .count(),
            message: "not valid UTF-8".into(),
        })?;
        let merges = Self::parse_merges_txt(mtext)?;
        let vocab = Vocab::from_pairs(map, "vocab.json")
            .map_err(|e| e.in_file(&vp.display().to_string()))?;
        // A merge whose parts or result the vocabulary lacks is a fault of the pair of files.
        Bpe::new(vocab, merges, config)
            .map_err(|e| e.in_file(&format!("{} with {}", vp.display(), mp.display())))
    }

    /// Writes `vocab.json` and `merges.txt` (with a `#version: 0.2` header) into `dir`.
    pub fn save_files(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        let vp = dir.join("vocab.json");
        let json = serde_json::to_string(self.vocab()).unwrap_or_default();
        std::fs::write(&vp, json).map_err(|e| TextError::io(&vp, e))?;
        let mut m = String::from("#version: 0.2\n");
        for (a, b) in self.merges() {
            m.push_str(a);
            m.push(' ');
            m.push_str(b);
            m.push('\n');
        }
        let mp = dir.join("merges.txt");
        std::fs::write(&mp, m).map_err(|e| TextError::io(&mp, e))
    }
}
