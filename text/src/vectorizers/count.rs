//! `CountVectorizer`: documents → token-count matrix (scikit-learn
//! `sklearn.feature_extraction.text.CountVectorizer`).

use std::sync::Arc;

use rayon::prelude::*;

use super::analyzer::{Analysis, Hooks, Scratch};
use super::config::VectorizerConfig;
use super::counts::{CountBlock, Learned, assemble, doc_blocks, keep_columns, limit_features};
use super::csr::CsrMatrix;
use super::error::VectorizerError;
use super::fit_strings::fit_strings;
use super::fit_words::fit_words;
use super::value::CountValue;
use super::vocabulary::Vocabulary;

/// Converts a collection of text documents to a sparse matrix of token
/// counts, with scikit-learn's parameters, defaults and results.
///
/// The dtype is the output type parameter (`CsrMatrix<i64>` is scikit-learn's
/// default `np.int64`). Work is parallel over documents (rayon).
///
/// ```
/// use kiln_text::vectorizers::CountVectorizer;
///
/// let docs = ["The cat sat.", "The cat sat on the mat!"];
/// let mut cv = CountVectorizer::new().with_ngram_range(1, 2);
/// let x = cv.fit_transform::<i64>(&docs).unwrap();
/// assert_eq!(cv.get_feature_names_out().unwrap()[..3], ["cat", "cat sat", "mat"]);
/// assert_eq!(x.shape(), (2, 10));
/// assert_eq!(x.get(1, cv.vocabulary().unwrap().get("the").unwrap()), 2);
/// ```
#[derive(Clone, Debug, Default)]
pub struct CountVectorizer {
    pub(crate) config: VectorizerConfig,
    pub(crate) hooks: Hooks,
    /// A vocabulary given by the user (`vocabulary=`).
    pub(crate) fixed: Option<Arc<Vocabulary>>,
    /// The learned or fixed vocabulary after `fit` (`vocabulary_`).
    pub(crate) fitted: Option<Arc<Vocabulary>>,
}

impl CountVectorizer {
    /// A vectorizer with scikit-learn's defaults.
    pub fn new() -> Self {
        Self::default()
    }

    vectorizer_setters!();

    /// Learns the vocabulary of `docs` (scikit-learn `fit`).
    pub fn fit<D: AsRef<str> + Sync>(&mut self, docs: &[D]) -> Result<&mut Self, VectorizerError> {
        self.fit_blocks(docs)?;
        Ok(self)
    }

    /// Learns the vocabulary and returns the document-term matrix
    /// (scikit-learn `fit_transform`).
    pub fn fit_transform<T: CountValue>(
        &mut self,
        docs: &[impl AsRef<str> + Sync],
    ) -> Result<CsrMatrix<T>, VectorizerError> {
        let (vocabulary, blocks) = self.fit_blocks(docs)?;
        Ok(self.counts_to_matrix(&blocks, vocabulary.len()))
    }

    /// Counts the vocabulary's terms in `docs` (scikit-learn `transform`).
    pub fn transform<T: CountValue>(
        &self,
        docs: &[impl AsRef<str> + Sync],
    ) -> Result<CsrMatrix<T>, VectorizerError> {
        let vocabulary = self.vocabulary()?;
        let blocks = self.transform_blocks(vocabulary, docs)?;
        Ok(self.counts_to_matrix(&blocks, vocabulary.len()))
    }

    /// The term → column mapping (scikit-learn `vocabulary_`); a fixed
    /// vocabulary is available before fitting, as in scikit-learn.
    pub fn vocabulary(&self) -> Result<&Vocabulary, VectorizerError> {
        self.fitted
            .as_deref()
            .or(self.fixed.as_deref())
            .ok_or(VectorizerError::NotFitted)
    }

    /// Feature names in column order (scikit-learn `get_feature_names_out()`).
    pub fn get_feature_names_out(&self) -> Result<Vec<String>, VectorizerError> {
        Ok(self.vocabulary()?.feature_names())
    }

    /// The features of one document, in order and with repetitions
    /// (scikit-learn `build_analyzer()(doc)`).
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>, VectorizerError> {
        let analysis = Analysis::new(&self.config, &self.hooks)?;
        let mut out = Vec::new();
        analysis.for_each_feature(doc, &mut Scratch::default(), |f| out.push(f.to_string()));
        Ok(out)
    }

    /// Fits and returns the vocabulary with the count rows over it
    /// (`binary` not applied yet).
    pub(crate) fn fit_blocks<D: AsRef<str> + Sync>(
        &mut self,
        docs: &[D],
    ) -> Result<(Arc<Vocabulary>, Vec<CountBlock>), VectorizerError> {
        if let Some(fixed) = &self.fixed {
            let fixed = Arc::clone(fixed);
            let blocks = self.transform_blocks(&fixed, docs)?;
            self.fitted = Some(Arc::clone(&fixed));
            return Ok((fixed, blocks));
        }
        let analysis = Analysis::new(&self.config, &self.hooks)?;
        let fast = if analysis.is_word_analyzer() {
            fit_words(&analysis, docs)
        } else {
            None
        };
        let Learned {
            mut blocks,
            n_features,
            names,
        } = fast.unwrap_or_else(|| {
            let (vocabulary, blocks) = fit_strings(&analysis, docs);
            Learned::from_vocabulary(vocabulary, blocks)
        });
        if n_features == 0 {
            return Err(VectorizerError::EmptyVocabulary);
        }
        let kept = limit_features(&self.config, &blocks, n_features, docs.len())?;
        if let Some(kept) = &kept {
            keep_columns(&mut blocks, kept, n_features);
        }
        let vocabulary = Arc::new(names(kept.as_deref()));
        self.fitted = Some(Arc::clone(&vocabulary));
        Ok((vocabulary, blocks))
    }

    /// Counts the terms of `vocabulary` in `docs`, in parallel over documents.
    pub(crate) fn transform_blocks<D: AsRef<str> + Sync>(
        &self,
        vocabulary: &Vocabulary,
        docs: &[D],
    ) -> Result<Vec<CountBlock>, VectorizerError> {
        let analysis = Analysis::new(&self.config, &self.hooks)?;
        Ok(doc_blocks(docs.len())
            .into_par_iter()
            .map(|range| {
                let mut block = CountBlock::with_rows(range.len());
                let mut scratch = Scratch::default();
                let mut ids = Vec::new();
                for doc in &docs[range] {
                    ids.clear();
                    analysis.for_each_feature(doc.as_ref(), &mut scratch, |f| {
                        if let Some(c) = vocabulary.get(f) {
                            ids.push(c as u32);
                        }
                    });
                    block.push_row_from_ids(&mut ids);
                }
                block
            })
            .collect())
    }

    /// Count rows → matrix, with `binary` applied.
    fn counts_to_matrix<T: CountValue>(
        &self,
        blocks: &[CountBlock],
        n_cols: usize,
    ) -> CsrMatrix<T> {
        let binary = self.config.binary;
        assemble(
            blocks,
            n_cols,
            |n| T::from_count(if binary { 1 } else { n }),
            |_, _| {},
        )
    }
}
