//! Typed errors of the Count/TF-IDF vectorizers, worded as scikit-learn's.

use std::fmt;

/// Everything that can go wrong when configuring, fitting or applying a
/// vectorizer. Messages repeat scikit-learn's `ValueError` texts where it has one.
#[derive(Debug, Clone, PartialEq)]
pub enum VectorizerError {
    /// Fitting found no feature at all (empty corpus, or every token was a stop word).
    EmptyVocabulary,
    /// `min_df` / `max_df` / `max_features` removed every feature.
    NoTermsRemain,
    /// `max_df` corresponds to fewer documents than `min_df`.
    MaxDfBelowMinDf {
        /// `max_df` as a document count for this corpus.
        max_doc_count: f64,
        /// `min_df` as a document count for this corpus.
        min_doc_count: f64,
    },
    /// `ngram_range` with a lower bound of zero or above the upper bound.
    InvalidNgramRange {
        /// Smallest n-gram length asked for.
        min_n: usize,
        /// Largest n-gram length asked for.
        max_n: usize,
    },
    /// A parameter outside the range scikit-learn accepts.
    InvalidParameter {
        /// scikit-learn's parameter name.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// `token_pattern` does not compile or has more than one capture group.
    InvalidTokenPattern {
        /// The pattern as given.
        pattern: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A fixed vocabulary lists the same term twice.
    DuplicateTerm(String),
    /// A fixed vocabulary mapping gives two terms the same index.
    RepeatedIndices,
    /// A fixed vocabulary mapping of size `size` has no term with index `index`.
    MissingIndex {
        /// Number of terms in the mapping.
        size: usize,
        /// The first index in `0..size` that no term has.
        index: usize,
    },
    /// A fixed vocabulary with no term.
    EmptyFixedVocabulary,
    /// `transform`, `vocabulary`, ... before `fit` (and without a fixed vocabulary).
    NotFitted,
    /// More features or non-zeros than the `u32` column indices can address.
    TooLarge(String),
}

impl fmt::Display for VectorizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::EmptyVocabulary => {
                f.write_str("empty vocabulary; perhaps the documents only contain stop words")
            }
            Self::NoTermsRemain => f.write_str(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df.",
            ),
            Self::MaxDfBelowMinDf { .. } => {
                f.write_str("max_df corresponds to < documents than min_df")
            }
            Self::InvalidNgramRange { min_n, max_n } if min_n > max_n => write!(
                f,
                "Invalid value for ngram_range=({min_n}, {max_n}) lower boundary larger than \
                 the upper boundary."
            ),
            Self::InvalidNgramRange { min_n, max_n } => write!(
                f,
                "Invalid value for ngram_range=({min_n}, {max_n}) n-grams have at least 1 item."
            ),
            Self::InvalidParameter { name, reason } => {
                write!(f, "invalid value for parameter '{name}': {reason}")
            }
            Self::InvalidTokenPattern { pattern, reason } => {
                write!(f, "invalid token_pattern {pattern:?}: {reason}")
            }
            Self::DuplicateTerm(t) => write!(f, "Duplicate term in vocabulary: {t:?}"),
            Self::RepeatedIndices => f.write_str("Vocabulary contains repeated indices."),
            Self::MissingIndex { size, index } => {
                write!(
                    f,
                    "Vocabulary of size {size} doesn't contain index {index}."
                )
            }
            Self::EmptyFixedVocabulary => f.write_str("empty vocabulary passed to fit"),
            Self::NotFitted => f.write_str("Vocabulary not fitted or provided"),
            Self::TooLarge(what) => write!(f, "too large for u32 indices: {what}"),
        }
    }
}

impl std::error::Error for VectorizerError {}

/// Why a saved vectorizer could not be written or read back.
#[derive(Debug)]
pub enum PersistError {
    /// Reading or writing the file failed.
    Io(std::io::Error),
    /// The text is not JSON of the expected shape.
    Json(serde_json::Error),
    /// The JSON describes another kind of object (e.g. a TF-IDF file loaded as counts).
    WrongKind {
        /// The kind this loader reads.
        expected: &'static str,
        /// The kind named in the file.
        found: String,
    },
    /// A format version this build does not read.
    UnsupportedVersion(u64),
    /// The stored settings or vocabulary are inconsistent.
    Invalid(VectorizerError),
    /// A field disagrees with another (e.g. idf length vs vocabulary size).
    Inconsistent(String),
    /// Custom preprocessor / tokenizer / analyzer closures cannot be saved.
    HookNotSerializable(&'static str),
    /// Only fitted vectorizers (or ones with a fixed vocabulary) can be saved.
    NotFitted,
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io(e) => write!(f, "i/o error: {e}"),
            Self::Json(e) => write!(f, "invalid vectorizer JSON: {e}"),
            Self::WrongKind { expected, found } => {
                write!(f, "expected a saved {expected}, found {found:?}")
            }
            Self::UnsupportedVersion(v) => write!(f, "unsupported vectorizer format version {v}"),
            Self::Invalid(e) => write!(f, "invalid saved vectorizer: {e}"),
            Self::Inconsistent(what) => write!(f, "inconsistent saved vectorizer: {what}"),
            Self::HookNotSerializable(which) => {
                write!(f, "a custom {which} closure cannot be saved to JSON")
            }
            Self::NotFitted => f.write_str("cannot save a vectorizer that is not fitted"),
        }
    }
}

impl std::error::Error for PersistError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io(e) => Some(e),
            Self::Json(e) => Some(e),
            Self::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for PersistError {
    fn from(e: std::io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<serde_json::Error> for PersistError {
    fn from(e: serde_json::Error) -> Self {
        Self::Json(e)
    }
}

impl From<VectorizerError> for PersistError {
    fn from(e: VectorizerError) -> Self {
        Self::Invalid(e)
    }
}
