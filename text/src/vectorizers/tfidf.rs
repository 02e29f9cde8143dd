//! `TfidfVectorizer`: documents → TF-IDF matrix (scikit-learn
//! `TfidfVectorizer` = `CountVectorizer` followed by `TfidfTransformer`).

use super::config::{Norm, TfidfOptions};
use super::count::CountVectorizer;
use super::counts::{CountBlock, assemble, document_frequency};
use super::csr::CsrMatrix;
use super::error::VectorizerError;
use super::value::FloatValue;
use super::vocabulary::Vocabulary;

/// What fitting TF-IDF learned besides the vocabulary: the document
/// frequencies and the corpus size, from which `idf_` follows.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IdfState {
    pub(crate) document_frequency: Vec<u32>,
    pub(crate) n_samples: u64,
}

impl IdfState {
    /// scikit-learn's `idf_ = ln(n / df) + 1`, with one added to `n` and
    /// `df` when smoothing, computed in `T` as numpy does for that dtype.
    pub(crate) fn idf<T: FloatValue>(&self, smooth: bool) -> Vec<T> {
        let one = if smooth { 1.0 } else { 0.0 };
        let n = T::from_f64(self.n_samples as f64 + one);
        self.document_frequency
            .iter()
            .map(|&d| {
                let df = T::from_f64(f64::from(d));
                let df = if smooth { df.plus_one() } else { df };
                (n / df).ln().plus_one()
            })
            .collect()
    }
}

/// Converts text documents to a matrix of TF-IDF features, with
/// scikit-learn's parameters, defaults and numbers (`CountVectorizer`
/// followed by `TfidfTransformer`). The dtype is the output type parameter:
/// `CsrMatrix<f64>` (scikit-learn's default) or `CsrMatrix<f32>`.
///
/// ```
/// use kiln_text::vectorizers::TfidfVectorizer;
///
/// let docs = ["the cat sat", "the dog sat", "the cat ran"];
/// let mut tv = TfidfVectorizer::new().with_sublinear_tf(true);
/// let x = tv.fit_transform::<f64>(&docs).unwrap();
/// let idf = tv.idf().unwrap();
/// // idf = ln((1 + n) / (1 + df)) + 1; "the" is in every document.
/// assert_eq!(idf[tv.vocabulary().unwrap().get("the").unwrap()], 1.0);
/// let (_, row) = x.row(0);
/// assert!((row.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, Default)]
pub struct TfidfVectorizer {
    pub(crate) count: CountVectorizer,
    pub(crate) options: TfidfOptions,
    pub(crate) idf_state: Option<IdfState>,
}

impl TfidfVectorizer {
    /// A vectorizer with scikit-learn's defaults (`norm="l2"`, `use_idf`, `smooth_idf`).
    pub fn new() -> Self {
        Self::default()
    }

    vectorizer_setters!(count);

    /// Replaces all TF-IDF weighting settings.
    pub fn with_tfidf_options(mut self, options: TfidfOptions) -> Self {
        self.options = options;
        self
    }

    /// The TF-IDF weighting settings.
    pub fn tfidf_options(&self) -> TfidfOptions {
        self.options
    }

    /// scikit-learn `norm` (default `Some(Norm::L2)`; `None` for no normalization).
    pub fn with_norm(mut self, norm: Option<Norm>) -> Self {
        self.options.norm = norm;
        self
    }

    /// scikit-learn `use_idf` (default `true`).
    pub fn with_use_idf(mut self, use_idf: bool) -> Self {
        self.options.use_idf = use_idf;
        self
    }

    /// scikit-learn `smooth_idf` (default `true`).
    pub fn with_smooth_idf(mut self, smooth_idf: bool) -> Self {
        self.options.smooth_idf = smooth_idf;
        self
    }

    /// scikit-learn `sublinear_tf` (default `false`).
    pub fn with_sublinear_tf(mut self, sublinear_tf: bool) -> Self {
        self.options.sublinear_tf = sublinear_tf;
        self
    }

    /// Learns vocabulary and idf (scikit-learn `fit`).
    pub fn fit<D: AsRef<str> + Sync>(&mut self, docs: &[D]) -> Result<&mut Self, VectorizerError> {
        let (vocabulary, blocks) = self.count.fit_blocks(docs)?;
        self.learn_idf(&blocks, vocabulary.len(), docs.len());
        Ok(self)
    }

    /// Learns vocabulary and idf and returns the TF-IDF matrix (scikit-learn `fit_transform`).
    pub fn fit_transform<T: FloatValue>(
        &mut self,
        docs: &[impl AsRef<str> + Sync],
    ) -> Result<CsrMatrix<T>, VectorizerError> {
        let (vocabulary, blocks) = self.count.fit_blocks(docs)?;
        self.learn_idf(&blocks, vocabulary.len(), docs.len());
        Ok(self.weigh(&blocks, vocabulary.len()))
    }

    /// TF-IDF matrix of `docs` with the fitted vocabulary and idf (scikit-learn `transform`).
    pub fn transform<T: FloatValue>(
        &self,
        docs: &[impl AsRef<str> + Sync],
    ) -> Result<CsrMatrix<T>, VectorizerError> {
        if self.idf_state.is_none() && self.options.use_idf {
            return Err(VectorizerError::NotFitted);
        }
        let vocabulary = self.count.vocabulary()?;
        let blocks = self.count.transform_blocks(vocabulary, docs)?;
        Ok(self.weigh(&blocks, vocabulary.len()))
    }

    /// The term → column mapping (scikit-learn `vocabulary_`).
    pub fn vocabulary(&self) -> Result<&Vocabulary, VectorizerError> {
        self.count.vocabulary()
    }

    /// Feature names in column order (scikit-learn `get_feature_names_out()`).
    pub fn get_feature_names_out(&self) -> Result<Vec<String>, VectorizerError> {
        self.count.get_feature_names_out()
    }

    /// The features of one document (scikit-learn `build_analyzer()(doc)`).
    pub fn analyze(&self, doc: &str) -> Result<Vec<String>, VectorizerError> {
        self.count.analyze(doc)
    }

    /// Inverse document frequencies in `f64` (scikit-learn `idf_`); `None`
    /// before fitting or with `use_idf=false`.
    pub fn idf(&self) -> Option<Vec<f64>> {
        self.idf_state
            .as_ref()
            .map(|s| s.idf(self.options.smooth_idf))
    }

    fn learn_idf(&mut self, blocks: &[CountBlock], n_features: usize, n_docs: usize) {
        self.idf_state = self.options.use_idf.then(|| IdfState {
            document_frequency: document_frequency(blocks, n_features),
            n_samples: n_docs as u64,
        });
    }

    /// scikit-learn `TfidfTransformer.transform` on the count rows:
    /// `binary`, then `1 + ln(tf)`, then `* idf`, then row normalization.
    fn weigh<T: FloatValue>(&self, blocks: &[CountBlock], n_cols: usize) -> CsrMatrix<T> {
        let TfidfOptions {
            norm,
            sublinear_tf,
            smooth_idf,
            ..
        } = self.options;
        let idf: Option<Vec<T>> = self.idf_state.as_ref().map(|s| s.idf(smooth_idf));
        let binary = self.count.config.binary;
        let value = |n: u32| {
            let tf = T::from_count(if binary { 1 } else { n });
            if sublinear_tf { tf.ln().plus_one() } else { tf }
        };
        let finish = |cols: &[u32], vals: &mut [T]| {
            if let Some(idf) = &idf {
                for (v, &c) in vals.iter_mut().zip(cols) {
                    *v = *v * idf[c as usize];
                }
            }
            normalize(norm, vals);
        };
        assemble(blocks, n_cols, value, finish)
    }
}

/// scikit-learn `normalize` on one CSR row: the sum is accumulated in `f64`
/// (`double sum_` in `inplace_csr_row_normalize_l1/l2`); zero rows stay zero.
fn normalize<T: FloatValue>(norm: Option<Norm>, vals: &mut [T]) {
    let total = match norm {
        None => return,
        Some(Norm::L1) => vals.iter().map(|v| v.to_f64().abs()).sum::<f64>(),
        Some(Norm::L2) => vals.iter().map(|&v| (v * v).to_f64()).sum::<f64>().sqrt(),
    };
    if total == 0.0 {
        return;
    }
    for v in vals.iter_mut() {
        *v = T::from_f64(v.to_f64() / total);
    }
}
