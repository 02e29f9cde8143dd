//! Training a tokenizer's model on text: parallel word counting, then the trainer.

use super::Tokenizer;
use crate::error::{Result, TextError};
use crate::models::Trainer;
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
        let model = trainer.train_words(&counts)?;
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
