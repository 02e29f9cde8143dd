//! The seeds' Approach 1 as reusable steps: a stratified held-out split, TF-IDF features
//! (`TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True)`), a logistic regression
//! (`nn.Linear(n_features, 1)` on sparse rows, `BCEWithLogitsLoss`, Adam with a little L2)
//! and scikit-learn's metrics. Shared by the `tfidf_logreg` example and its test.

use std::error::Error;

use kiln_autograd::{Var, no_grad};
use kiln_data::TrainTestSplit;
use kiln_data::splits::SplitSize;
use kiln_nn::Linear;
use kiln_nn::functional::{BceWithLogitsOptions, binary_cross_entropy_with_logits};
use kiln_optim::{Adam, AdamConfig, Optimizer};
use kiln_tensor::{CsrTensor, Generator, Tensor, manual_seed};
use kiln_text::TfidfVectorizer;
use kiln_trainer::metrics::{ReportOptions, accuracy_score, classification_report, roc_auc_score};
use kiln_trainer::recipes::{shuffle, to_csr_tensor};

/// Training settings.
pub struct Settings {
    /// Fraction of the reviews held out for testing.
    pub test_size: f64,
    /// Passes over the training rows.
    pub epochs: usize,
    /// Rows per optimizer step.
    pub batch_size: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// L2 penalty added to the gradient (Adam's coupled `weight_decay`).
    pub weight_decay: f64,
    /// Seed of the split, the initialisation and the batch order.
    pub seed: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            test_size: 0.2,
            epochs: 4,
            batch_size: 128,
            lr: 2e-3,
            weight_decay: 1e-6,
            seed: 42,
        }
    }
}

/// What the held-out evaluation found.
pub struct Evaluation {
    /// Number of TF-IDF features (vocabulary size).
    pub n_features: usize,
    /// Number of training reviews.
    pub n_train: usize,
    /// Number of test reviews.
    pub n_test: usize,
    /// Mean training loss of each epoch.
    pub epoch_losses: Vec<f64>,
    /// Test accuracy in `[0, 1]`.
    pub accuracy: f64,
    /// Test ROC AUC of the logits.
    pub roc_auc: f64,
    /// scikit-learn's classification report of the test predictions.
    pub report: String,
}

/// Splits, vectorizes, trains and evaluates on `texts` with labels 0 / 1.
pub fn run(
    texts: &[String],
    labels: &[i64],
    settings: &Settings,
) -> Result<Evaluation, Box<dyn Error>> {
    let (train_idx, test_idx) = TrainTestSplit::new()
        .with_test_size(SplitSize::Fraction(settings.test_size))
        .with_seed(settings.seed)
        .split_stratified(labels)?;
    let pick = |idx: &[usize]| -> (Vec<&str>, Vec<i64>) {
        idx.iter().map(|&i| (texts[i].as_str(), labels[i])).unzip()
    };
    let (train_texts, train_labels) = pick(&train_idx);
    let (test_texts, test_labels) = pick(&test_idx);

    let mut vectorizer = TfidfVectorizer::new()
        .with_ngram_range(1, 3)
        .with_sublinear_tf(true);
    let x_train = to_csr_tensor(vectorizer.fit_transform::<f32>(&train_texts)?)?;
    let x_test = to_csr_tensor(vectorizer.transform::<f32>(&test_texts)?)?;

    let (model, epoch_losses) = train(&x_train, &train_labels, settings);
    let scores = logits(&model, &x_test);
    let predicted: Vec<i64> = scores.iter().map(|&s| i64::from(s > 0.0)).collect();
    let report_options = ReportOptions::default().with_target_names(["negative", "positive"]);
    Ok(Evaluation {
        n_features: x_train.cols(),
        n_train: x_train.rows(),
        n_test: x_test.rows(),
        epoch_losses,
        accuracy: accuracy_score(&test_labels, &predicted)?,
        roc_auc: roc_auc_score(&test_labels, &scores)?,
        report: classification_report(&test_labels, &predicted, &report_options)?,
    })
}

/// Fits `Linear(n_features, 1)` by mini-batch Adam on the binary cross-entropy of its logits;
/// returns the model and the mean loss of each epoch.
pub fn train(x: &CsrTensor, y: &[i64], settings: &Settings) -> (Linear, Vec<f64>) {
    manual_seed(settings.seed);
    let model = Linear::new(x.cols(), 1, true);
    let config = AdamConfig::new(settings.lr).with_weight_decay(settings.weight_decay);
    let params = vec![model.weight.clone(), model.bias.clone().expect("bias")];
    let mut optimizer = Adam::new(params, config);
    let mut generator = Generator::new(settings.seed);
    let mut order: Vec<usize> = (0..x.rows()).collect();
    let mut epoch_losses = Vec::with_capacity(settings.epochs);
    for _ in 0..settings.epochs {
        shuffle(&mut order, &mut generator);
        let mut total = 0.0;
        for batch in order.chunks(settings.batch_size) {
            let xb = x.select_rows(batch);
            let targets: Vec<f32> = batch.iter().map(|&i| y[i] as f32).collect();
            let target = Var::constant(Tensor::from_vec(targets, [batch.len(), 1]));
            let loss = binary_cross_entropy_with_logits(
                &model.forward_sparse(&xb),
                &target,
                &BceWithLogitsOptions::default(),
            );
            optimizer.zero_grad(true);
            loss.backward();
            optimizer.step();
            total += loss.value().item::<f64>() * batch.len() as f64;
        }
        epoch_losses.push(total / x.rows() as f64);
    }
    (model, epoch_losses)
}

/// The model's logit for every row of `x`.
pub fn logits(model: &Linear, x: &CsrTensor) -> Vec<f64> {
    let _guard = no_grad();
    model.forward_sparse(x).value().to_vec::<f64>()
}
