//! Count and TF-IDF vectorizers with scikit-learn's parameters, defaults
//! and numbers (`sklearn.feature_extraction.text`, checked against
//! scikit-learn 1.9.1), producing sparse CSR matrices.
//!
//! - [`CountVectorizer`]: documents → token counts.
//! - [`TfidfVectorizer`]: documents → TF-IDF weights.
//! - [`CsrMatrix`]: the sparse output (indptr / indices / data, sorted indices).
//! - [`Vocabulary`]: term → column (`vocabulary_`), in scikit-learn's sorted order.
//!
//! Differences from scikit-learn, all documented where they apply: custom
//! `token_pattern`s use the `regex` crate's syntax, with `\w \W \s \S`
//! rewritten to Python's character sets but `\b` keeping the `regex` crate's
//! definition (the default pattern is matched exactly, by hand);
//! `ngram_range` must start at 1;
//! `max_features` ties are broken by term order, where scikit-learn's
//! choice depends on numpy's CPU-specific unstable sort.

#[macro_use]
mod builder;

mod analyzer;
mod config;
mod count;
mod counts;
mod csr;
mod error;
mod fit_strings;
mod fit_words;
mod interner;
mod persist;
mod preprocess;
mod pyunicode;
mod stop_words;
mod tfidf;
mod tokenize;
mod value;
mod vocabulary;

pub use analyzer::{PreprocessFn, TokensFn};
pub use config::{
    Analyzer, DEFAULT_TOKEN_PATTERN, DocFrequency, Norm, StopWords, StripAccents, TfidfOptions,
    VectorizerConfig,
};
pub use count::CountVectorizer;
pub use csr::CsrMatrix;
pub use error::{PersistError, VectorizerError};
pub use preprocess::{strip_accents_ascii, strip_accents_unicode};
pub use stop_words::{ENGLISH_STOP_WORDS, is_english_stop_word};
pub use tfidf::TfidfVectorizer;
pub use value::{CountValue, FloatValue};
pub use vocabulary::Vocabulary;
