//! The seeds' Approach 1: TF-IDF features (`TfidfVectorizer(ngram_range=(1, n),
//! sublinear_tf=True)`) and a linear classifier on the sparse rows (`nn.Linear(n_features,
//! C)` trained with Adam on cross-entropy, a little L2).

use kiln_autograd::{Var, no_grad};
use kiln_nn::Linear;
use kiln_nn::functional::{CrossEntropyOptions, cross_entropy};
use kiln_optim::{Adam, AdamConfig, Optimizer};
use kiln_tensor::{CsrTensor, Generator, Tensor, manual_seed};
use kiln_text::TfidfVectorizer;
use serde::{Deserialize, Serialize};

use super::classifier::{TextClassifier, probability_rows};
use super::error::RecipeError;
use super::text_data::{TextDataset, shuffle};

/// Settings of the TF-IDF + linear classifier recipe (`[model]` with `method = "tfidf"`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TfidfSettings {
    /// Longest word n-gram (`ngram_range=(1, ngram_max)`).
    pub ngram_max: usize,
    /// `1 + log(tf)` instead of raw counts (`sublinear_tf`).
    pub sublinear_tf: bool,
    /// Ignore terms in fewer documents than this (`min_df`, a count).
    pub min_df: u64,
    /// Passes over the training texts.
    pub epochs: usize,
    /// Texts per Adam step.
    pub batch_size: usize,
    /// Adam learning rate.
    pub learning_rate: f64,
    /// L2 penalty added to the gradient (Adam's coupled `weight_decay`).
    pub weight_decay: f64,
    /// Seed of the initialisation and the batch order.
    pub seed: u64,
}

impl Default for TfidfSettings {
    fn default() -> Self {
        TfidfSettings {
            ngram_max: 3,
            sublinear_tf: true,
            min_df: 1,
            epochs: 4,
            batch_size: 128,
            learning_rate: 2e-3,
            weight_decay: 1e-6,
            seed: 42,
        }
    }
}

/// A fitted vectorizer and the linear layer on its features.
pub struct TfidfClassifier {
    vectorizer: TfidfVectorizer,
    linear: Linear,
    label_names: Vec<String>,
}

impl TfidfClassifier {
    /// Fits the vectorizer on `train` and trains `Linear(n_features, classes)` on its rows;
    /// `on_epoch` sees each epoch's number and mean loss.
    pub fn fit(
        train: &TextDataset,
        settings: &TfidfSettings,
        mut on_epoch: impl FnMut(usize, f64),
    ) -> Result<TfidfClassifier, RecipeError> {
        if settings.ngram_max == 0 || settings.batch_size == 0 {
            return Err(RecipeError::Config {
                path: None,
                message: "`ngram_max` and `batch_size` must be at least 1".into(),
            });
        }
        let mut vectorizer = TfidfVectorizer::new()
            .with_ngram_range(1, settings.ngram_max)
            .with_sublinear_tf(settings.sublinear_tf)
            .with_min_df(kiln_text::vectorizers::DocFrequency::Count(settings.min_df));
        let x = to_csr_tensor(
            vectorizer
                .fit_transform::<f32>(&train.texts)
                .map_err(RecipeError::run)?,
        )?;
        let classes = train.label_names.len().max(2);
        manual_seed(settings.seed);
        let linear = Linear::new(x.cols(), classes, true);
        let params = vec![linear.weight.clone(), linear.bias.clone().expect("bias")];
        let config =
            AdamConfig::new(settings.learning_rate).with_weight_decay(settings.weight_decay);
        let mut optimizer = Adam::new(params, config);
        let mut generator = Generator::new(settings.seed);
        let mut order: Vec<usize> = (0..x.rows()).collect();
        for epoch in 0..settings.epochs {
            shuffle(&mut order, &mut generator);
            let mut total = 0.0;
            for batch in order.chunks(settings.batch_size) {
                let xb = x.select_rows(batch);
                let targets: Vec<i64> = batch.iter().map(|&i| train.labels[i]).collect();
                let target = Var::constant(Tensor::from_vec(targets, [batch.len()]));
                let loss = cross_entropy(
                    &linear.forward_sparse(&xb),
                    &target,
                    &CrossEntropyOptions::default(),
                );
                optimizer.zero_grad(true);
                loss.backward();
                optimizer.step();
                total += loss.value().item::<f64>() * batch.len() as f64;
            }
            on_epoch(epoch + 1, total / x.rows().max(1) as f64);
        }
        Ok(TfidfClassifier {
            vectorizer,
            linear,
            label_names: train.label_names.clone(),
        })
    }

    /// Number of TF-IDF features (the vocabulary size).
    pub fn n_features(&self) -> usize {
        self.linear.weight.value().dims()[1]
    }
}

impl TextClassifier for TfidfClassifier {
    fn label_names(&self) -> &[String] {
        &self.label_names
    }

    fn predict_proba(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, RecipeError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let x = to_csr_tensor(
            self.vectorizer
                .transform::<f32>(texts)
                .map_err(RecipeError::run)?,
        )?;
        let _guard = no_grad();
        let proba = self.linear.forward_sparse(&x).value().softmax(1usize);
        Ok(probability_rows(&proba))
    }
}

/// A vectorizer's CSR output as a `CsrTensor` (moved, not copied), the sparse rows
/// `Linear::forward_sparse` takes.
pub fn to_csr_tensor(matrix: kiln_text::CsrMatrix<f32>) -> Result<CsrTensor, RecipeError> {
    let ((rows, cols), indptr, indices, data) = matrix.into_parts();
    let nnz = data.len();
    CsrTensor::from_parts(indptr, indices, Tensor::from_vec(data, [nnz]), [rows, cols])
        .map_err(RecipeError::run)
}
