//! Training a tokenizer's model on text: parallel word counting, then the trainer.

use super::Tokenizer;
use crate::error::{Result, TextError};
use crate::models::{Bpe, BpeConfig, Model, Trainer, WordPiece, WordPieceConfig};
use crate::normalizers::NormalizedString;
use crate::pre_tokenizers::PreTokenizedString;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::path::Path;

fn add_counts(into: &mut FxHashMap<String, u64>, from: FxHashMap<String, u64>) {
    for (w, n) in from {
        *into.entry(w).or_default() += n;
    }
}

/// Keeps the settings of the model being replaced that training does not decide (unknown
/// token, byte fallback, dropout, …), as Hugging Face trains a model in place.
fn inherit_settings(old: &Model, new: Model) -> Result<Model> {
    Ok(match (old, new) {
        (Model::Bpe(old), Model::Bpe(new)) => {
            let o = old.config();
            let unk_ok = o
                .unk_token
                .as_ref()
                .is_none_or(|u| new.vocab().id(u).is_some());
            if !unk_ok {
                return Ok(Model::Bpe(new));
            }
            let config = BpeConfig {
                dropout: o.dropout,
                dropout_seed: o.dropout_seed,
                unk_token: o.unk_token.clone(),
                fuse_unk: o.fuse_unk,
                byte_fallback: o.byte_fallback,
                ignore_merges: o.ignore_merges,
                ..new.config().clone()
            };
            let merges = new
                .merges()
                .into_iter()
                .map(|(a, b)| (a.to_owned(), b.to_owned()))
                .collect();
            Model::Bpe(Bpe::new(new.vocab().clone(), merges, config)?)
        }
        (Model::WordPiece(old), Model::WordPiece(new)) => {
            let o = old.config();
            if new.vocab().id(&o.unk_token).is_none() {
                return Ok(Model::WordPiece(new));
            }
            let config = WordPieceConfig {
                unk_token: o.unk_token.clone(),
                max_input_chars_per_word: o.max_input_chars_per_word,
                ..new.config().clone()
            };
            Model::WordPiece(WordPiece::new(new.vocab().clone(), config)?)
        }
        (_, new) => new,
    })
}

impl Tokenizer {
    /// Counts the words the normalizer and pre-tokenizer make of `texts`, in parallel
    /// (Hugging Face `Trainer.feed`; added tokens are not matched, as in Hugging Face).
    pub fn count_words<S: AsRef<str> + Sync>(&self, texts: &[S]) -> FxHashMap<String, u64> {
        texts
            .par_iter()
            .fold(FxHashMap::default, |mut acc: FxHashMap<String, u64>, t| {
                let mut n = NormalizedString::new(t.as_ref(), 0);
                if let Some(norm) = self.normalizer() {
                    norm.normalize(&mut n);
                }
                let mut pts = PreTokenizedString::new(n);
                if let Some(p) = self.pre_tokenizer() {
                    p.pre_tokenize(&mut pts);
                }
                let s = pts.normalized.get();
                for sp in &pts.splits {
                    let w = &s[sp.start..sp.end];
                    match acc.get_mut(w) {
                        Some(c) => *c += 1,
                        None => {
                            acc.insert(w.to_owned(), 1);
                        }
                    }
                }
                acc
            })
            .reduce(FxHashMap::default, |mut a, b| {
                if a.len() < b.len() {
                    let mut b = b;
                    add_counts(&mut b, a);
                    b
                } else {
                    add_counts(&mut a, b);
                    a
                }
            })
    }

    /// Trains a new model on `texts` and installs it, adding the trainer's special tokens
    /// (Hugging Face `train_from_iterator`).
    pub fn train<S: AsRef<str> + Sync>(&mut self, trainer: &Trainer, texts: &[S]) -> Result<()> {
        let counts = self.count_words(texts);
        let model = inherit_settings(self.model(), trainer.train_words(&counts)?)?;
        self.set_model(model);
        let specials: Vec<&str> = trainer
            .special_tokens()
            .iter()
            .map(String::as_str)
            .collect();
        self.add_special_tokens(&specials);
        Ok(())
    }

    /// Trains on text files read line by line, each line keeping its `\n` (Hugging Face
    /// `train(files)`); a file that is not UTF-8 is an error naming its line.
    pub fn train_from_files<P: AsRef<Path>>(
        &mut self,
        trainer: &Trainer,
        files: &[P],
    ) -> Result<()> {
        let mut contents = Vec::with_capacity(files.len());
        for f in files {
            let path = f.as_ref();
            let bytes = std::fs::read(path).map_err(|e| TextError::io(path, e))?;
            let text = String::from_utf8(bytes).map_err(|e| {
                let valid = e.utf8_error().valid_up_to();
                TextError::Line {
                    what: path.display().to_string(),
                    line: 1 + e.as_bytes()[..valid]
                        .iter()
                        .filter(|&&b| b == b'\n')
                        .count(),
                    message: "not valid UTF-8".into(),
                }
            })?;
            contents.push(text);
        }
        let lines: Vec<&str> = contents
            .iter()
            .flat_map(|t| t.split_inclusive('\n'))
            .collect();
        self.train(trainer, &lines)
    }
}
