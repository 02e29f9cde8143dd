//! Settings shared by `CountVectorizer` and `TfidfVectorizer`, with
//! scikit-learn's names and defaults.

use serde::{Deserialize, Serialize};

use super::error::VectorizerError;

/// scikit-learn's default `token_pattern`: runs of two or more word characters.
pub const DEFAULT_TOKEN_PATTERN: &str = r"(?u)\b\w\w+\b";

/// What a feature is made of (scikit-learn `analyzer`; a callable analyzer is
/// set with `with_analyzer_fn` instead).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Analyzer {
    /// Word n-grams of the tokens (`"word"`, the default).
    #[default]
    Word,
    /// Character n-grams of the whole text (`"char"`).
    Char,
    /// Character n-grams inside words padded with one space (`"char_wb"`).
    CharWb,
}

/// Accent removal (scikit-learn `strip_accents`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StripAccents {
    /// Keep accents (`None`, the default).
    #[default]
    None,
    /// NFKD then drop non-ASCII characters (`"ascii"`).
    Ascii,
    /// NFKD then drop combining characters (`"unicode"`).
    Unicode,
}

/// Words removed after tokenization (scikit-learn `stop_words`); word analyzer only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum StopWords {
    /// Keep every token (`None`, the default).
    #[default]
    None,
    /// scikit-learn's built-in list (`"english"`), see [`super::ENGLISH_STOP_WORDS`].
    English,
    /// A custom list, compared with the tokens after preprocessing.
    List(Vec<String>),
}

/// A document-frequency bound (scikit-learn `min_df` / `max_df`): an integer
/// is a number of documents, a float a fraction of the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocFrequency {
    /// An absolute number of documents (`int`, at least 1).
    Count(u64),
    /// A fraction of the documents in `[0, 1]` (`float`).
    Fraction(f64),
}

impl DocFrequency {
    /// The bound as a number of documents for a corpus of `n_docs`
    /// (`max_df * n_doc` for a fraction, as scikit-learn computes it).
    pub fn doc_count(self, n_docs: usize) -> f64 {
        match self {
            Self::Count(c) => c as f64,
            Self::Fraction(f) => f * n_docs as f64,
        }
    }

    fn validate(self, name: &'static str) -> Result<(), VectorizerError> {
        let ok = match self {
            Self::Count(c) => c >= 1,
            Self::Fraction(f) => (0.0..=1.0).contains(&f),
        };
        if ok {
            Ok(())
        } else {
            Err(VectorizerError::InvalidParameter {
                name,
                reason: format!("{self:?}: a count must be >= 1, a fraction in [0, 1]"),
            })
        }
    }
}

/// The analysis and vocabulary settings of a vectorizer (everything of
/// scikit-learn's `CountVectorizer.__init__` except callables, `input`,
/// `encoding`, `decode_error`, `vocabulary` and `dtype`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VectorizerConfig {
    /// Lowercase documents before tokenizing (`lowercase=True`).
    pub lowercase: bool,
    /// Accent stripping (`strip_accents=None`).
    pub strip_accents: StripAccents,
    /// Regular expression whose matches are the tokens (`token_pattern`); with
    /// one capture group the group is the token. The default is matched by a
    /// hand-written scanner with Python's `\w`; other patterns use the `regex`
    /// crate's syntax, with `\w \W \s \S` rewritten to Python's sets.
    pub token_pattern: String,
    /// Word or character n-grams (`analyzer="word"`).
    pub analyzer: Analyzer,
    /// Smallest and largest n-gram length, inclusive (`ngram_range=(1, 1)`).
    pub ngram_range: (usize, usize),
    /// Stop words removed before building word n-grams (`stop_words=None`).
    pub stop_words: StopWords,
    /// Drop terms in fewer documents than this (`min_df=1`).
    pub min_df: DocFrequency,
    /// Drop terms in more documents than this (`max_df=1.0`).
    pub max_df: DocFrequency,
    /// Keep only this many terms, the most frequent over the corpus (`max_features=None`).
    pub max_features: Option<usize>,
    /// Count presence (1) instead of occurrences (`binary=False`).
    pub binary: bool,
}

impl Default for VectorizerConfig {
    fn default() -> Self {
        Self {
            lowercase: true,
            strip_accents: StripAccents::None,
            token_pattern: DEFAULT_TOKEN_PATTERN.to_string(),
            analyzer: Analyzer::Word,
            ngram_range: (1, 1),
            stop_words: StopWords::None,
            min_df: DocFrequency::Count(1),
            max_df: DocFrequency::Fraction(1.0),
            max_features: None,
            binary: false,
        }
    }
}

impl VectorizerConfig {
    /// Checks every setting that does not depend on the corpus.
    pub fn validate(&self) -> Result<(), VectorizerError> {
        let (min_n, max_n) = self.ngram_range;
        if min_n == 0 || min_n > max_n {
            return Err(VectorizerError::InvalidNgramRange { min_n, max_n });
        }
        self.min_df.validate("min_df")?;
        self.max_df.validate("max_df")?;
        if self.max_features == Some(0) {
            return Err(VectorizerError::InvalidParameter {
                name: "max_features",
                reason: "must be >= 1 or None".into(),
            });
        }
        Ok(())
    }
}

/// Row normalization of TF-IDF output (scikit-learn `norm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Divide each row by the sum of absolute values (`"l1"`).
    L1,
    /// Divide each row by its Euclidean length (`"l2"`, the default).
    L2,
}

/// The TF-IDF weighting settings (scikit-learn `TfidfTransformer`'s parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TfidfOptions {
    /// Row normalization, `None` for none (`norm="l2"`).
    pub norm: Option<Norm>,
    /// Multiply by the inverse document frequency (`use_idf=True`).
    pub use_idf: bool,
    /// Add one to document frequencies and to the document count (`smooth_idf=True`).
    pub smooth_idf: bool,
    /// Replace tf by `1 + ln(tf)` (`sublinear_tf=False`).
    pub sublinear_tf: bool,
}

impl Default for TfidfOptions {
    fn default() -> Self {
        Self {
            norm: Some(Norm::L2),
            use_idf: true,
            smooth_idf: true,
            sublinear_tf: false,
        }
    }
}
