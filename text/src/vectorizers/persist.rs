//! Saving a fitted vectorizer to JSON and loading it back.
//!
//! The file holds the settings, the vocabulary in column order and, for
//! TF-IDF, the document frequencies and corpus size from which `idf_` is
//! recomputed exactly (so no float round trip and no `inf` in JSON).
//! Loading validates everything and never panics on bad input.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize, Serializer};

use super::analyzer::Analysis;
use super::config::{TfidfOptions, VectorizerConfig};
use super::count::CountVectorizer;
use super::error::PersistError;
use super::tfidf::{IdfState, TfidfVectorizer};
use super::vocabulary::Vocabulary;

/// Version of the JSON layout written by this build.
const FORMAT_VERSION: u64 = 1;
const COUNT_KIND: &str = "CountVectorizer";
const TFIDF_KIND: &str = "TfidfVectorizer";

/// Serializes a vocabulary as a JSON array without copying its terms.
struct Terms<'a>(&'a Vocabulary);

impl Serialize for Terms<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

#[derive(Serialize)]
struct SavedRef<'a> {
    kind: &'static str,
    format_version: u64,
    config: &'a VectorizerConfig,
    tfidf: Option<&'a TfidfOptions>,
    fixed_vocabulary: bool,
    vocabulary: Terms<'a>,
    document_frequency: Option<&'a [u32]>,
    n_samples: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Saved {
    kind: String,
    format_version: u64,
    config: VectorizerConfig,
    tfidf: Option<TfidfOptions>,
    fixed_vocabulary: bool,
    vocabulary: Vec<String>,
    document_frequency: Option<Vec<u32>>,
    n_samples: Option<u64>,
}

fn to_json(
    count: &CountVectorizer,
    tfidf: Option<(&TfidfOptions, Option<&IdfState>)>,
) -> Result<String, PersistError> {
    if let Some(hook) = count.hooks.first_present() {
        return Err(PersistError::HookNotSerializable(hook));
    }
    let vocabulary = count.vocabulary().map_err(|_| PersistError::NotFitted)?;
    let idf = tfidf.and_then(|(_, s)| s);
    let saved = SavedRef {
        kind: if tfidf.is_some() {
            TFIDF_KIND
        } else {
            COUNT_KIND
        },
        format_version: FORMAT_VERSION,
        config: &count.config,
        tfidf: tfidf.map(|(o, _)| o),
        fixed_vocabulary: count.fixed.is_some(),
        vocabulary: Terms(vocabulary),
        document_frequency: idf.map(|s| s.document_frequency.as_slice()),
        n_samples: idf.map(|s| s.n_samples),
    };
    Ok(serde_json::to_string(&saved)?)
}

/// Parses and validates; returns the count part and the TF-IDF part.
fn from_json(json: &str, kind: &'static str) -> Result<(CountVectorizer, Saved), PersistError> {
    let mut saved: Saved = serde_json::from_str(json)?;
    if saved.kind != kind {
        return Err(PersistError::WrongKind {
            expected: kind,
            found: saved.kind,
        });
    }
    if saved.format_version != FORMAT_VERSION {
        return Err(PersistError::UnsupportedVersion(saved.format_version));
    }
    if (kind == TFIDF_KIND) != saved.tfidf.is_some() {
        return Err(PersistError::Inconsistent(
            "tfidf settings present iff kind is TfidfVectorizer".into(),
        ));
    }
    let count = CountVectorizer {
        config: saved.config.clone(),
        ..Default::default()
    };
    Analysis::new(&count.config, &count.hooks)?;
    let vocabulary = Arc::new(Vocabulary::from_terms(std::mem::take(
        &mut saved.vocabulary,
    ))?);
    if let Some(df) = &saved.document_frequency {
        if df.len() != vocabulary.len() {
            return Err(PersistError::Inconsistent(format!(
                "{} document frequencies for {} terms",
                df.len(),
                vocabulary.len()
            )));
        }
        let n = saved
            .n_samples
            .ok_or_else(|| PersistError::Inconsistent("n_samples missing".into()))?;
        if df.iter().any(|&d| u64::from(d) > n) {
            return Err(PersistError::Inconsistent(
                "a document frequency exceeds n_samples".into(),
            ));
        }
    }
    let count = CountVectorizer {
        fixed: saved.fixed_vocabulary.then(|| Arc::clone(&vocabulary)),
        fitted: Some(vocabulary),
        ..count
    };
    Ok((count, saved))
}

impl CountVectorizer {
    /// The fitted vectorizer as JSON (settings + vocabulary).
    pub fn to_json(&self) -> Result<String, PersistError> {
        to_json(self, None)
    }

    /// Reads a vectorizer written by [`CountVectorizer::to_json`].
    pub fn from_json(json: &str) -> Result<Self, PersistError> {
        Ok(from_json(json, COUNT_KIND)?.0)
    }

    /// Writes [`CountVectorizer::to_json`] to a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PersistError> {
        Ok(std::fs::write(path, self.to_json()?)?)
    }

    /// Reads a file written by [`CountVectorizer::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, PersistError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}

impl TfidfVectorizer {
    /// The fitted vectorizer as JSON (settings, vocabulary, document frequencies).
    pub fn to_json(&self) -> Result<String, PersistError> {
        if self.options.use_idf && self.idf_state.is_none() {
            return Err(PersistError::NotFitted);
        }
        to_json(&self.count, Some((&self.options, self.idf_state.as_ref())))
    }

    /// Reads a vectorizer written by [`TfidfVectorizer::to_json`].
    pub fn from_json(json: &str) -> Result<Self, PersistError> {
        let (count, saved) = from_json(json, TFIDF_KIND)?;
        let options = saved.tfidf.unwrap_or_default();
        let idf_state = match (options.use_idf, saved.document_frequency, saved.n_samples) {
            (true, Some(document_frequency), Some(n_samples)) => Some(IdfState {
                document_frequency,
                n_samples,
            }),
            (false, None, _) => None,
            _ => {
                return Err(PersistError::Inconsistent(
                    "document_frequency present iff use_idf".into(),
                ));
            }
        };
        Ok(Self {
            count,
            options,
            idf_state,
        })
    }

    /// Writes [`TfidfVectorizer::to_json`] to a file.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), PersistError> {
        Ok(std::fs::write(path, self.to_json()?)?)
    }

    /// Reads a file written by [`TfidfVectorizer::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self, PersistError> {
        Self::from_json(&std::fs::read_to_string(path)?)
    }
}
