//! [`CrossValidation`]: trains and evaluates one [`Trainer`] per stratified fold.

use std::rc::Rc;
use std::sync::Arc;

use kiln_data::{Collate, Dataset, StratifiedKFold, Subset};
use kiln_nn::Module;
use kiln_optim::Optimizer;
use kiln_tensor::{DType, Tensor};

use super::{CvError, CvOutput, CvSummary, FoldResult};
use crate::training::args::TrainingArguments;
use crate::training::state::Metrics;
use crate::training::trainer::{EvalPrediction, StepOutput, Trainer};

/// `compute_loss`, shared by the Trainers of every fold.
type SharedLoss<M, B> = Rc<dyn Fn(&M, &B) -> StepOutput>;
/// `compute_metrics`, shared by the Trainers of every fold.
type SharedMetrics = Rc<dyn Fn(&EvalPrediction) -> Metrics>;
/// Builds a fold's optimizer from the fold index and its fresh model.
type OptimizerFactory<M> = Box<dyn Fn(usize, &M) -> Box<dyn Optimizer>>;

/// Stratified k-fold cross-validation with a [`Trainer`] per fold (the seeds'
/// `StratifiedKFold` + `training_loop(train, fold, …)` + `oof_df`).
///
/// Folds come from [`StratifiedKFold`] over the labels: scikit-learn's assignment exactly
/// without shuffling; with [`CrossValidation::with_shuffle`] the same per-class fold sizes
/// in an order drawn from Kiln's generator (numpy's stream cannot be reproduced). Each fold
/// trains a fresh model with the given [`TrainingArguments`], except that `output_dir` is
/// `<output_dir>/fold-<i>` so every fold keeps its own checkpoints, `log.jsonl` and report;
/// the held-out fold is the fold's `eval_dataset` (so `eval_strategy`,
/// `load_best_model_at_end` and early stopping work per fold as in the seeds).
pub struct CrossValidation<M, B, C> {
    splitter: StratifiedKFold,
    args: TrainingArguments,
    data_collator: C,
    compute_loss: SharedLoss<M, B>,
    compute_metrics: Option<SharedMetrics>,
    optimizer_factory: Option<OptimizerFactory<M>>,
}

impl<M, B, C> CrossValidation<M, B, C>
where
    M: Module + 'static,
    B: 'static,
    C: Clone + 'static,
{
    /// `n_splits` unshuffled stratified folds (`StratifiedKFold(n_splits)`), each trained
    /// with `args` (per-fold `output_dir`), batched by `data_collator`, with each batch's
    /// loss (and logits, for the out-of-fold predictions) from `compute_loss`.
    pub fn new(
        n_splits: usize,
        args: TrainingArguments,
        data_collator: C,
        compute_loss: impl Fn(&M, &B) -> StepOutput + 'static,
    ) -> Self {
        CrossValidation {
            splitter: StratifiedKFold::new(n_splits),
            args,
            data_collator,
            compute_loss: Rc::new(compute_loss),
            compute_metrics: None,
            optimizer_factory: None,
        }
    }

    /// Shuffles each class before assigning folds (`shuffle=True, random_state=seed`).
    pub fn with_shuffle(mut self, seed: u64) -> Self {
        self.splitter = self.splitter.with_shuffle(seed);
        self
    }

    /// Sets every fold's `compute_metrics` (its values appear as `eval_<name>`).
    pub fn with_compute_metrics(
        mut self,
        compute_metrics: impl Fn(&EvalPrediction) -> Metrics + 'static,
    ) -> Self {
        self.compute_metrics = Some(Rc::new(compute_metrics));
        self
    }

    /// Gives each fold the optimizer `optimizer_factory(fold, &model)` builds for its fresh
    /// model, instead of the one the arguments describe (the seeds'
    /// `AdamW(get_optimizer_params(model, encoder_lr, decoder_lr, weight_decay))` inside
    /// the fold loop; [`Trainer::with_optimizer`] for one Trainer). The schedule still comes
    /// from the arguments, applied to every group.
    pub fn with_optimizer_factory<O: Optimizer + 'static>(
        mut self,
        optimizer_factory: impl Fn(usize, &M) -> O + 'static,
    ) -> Self {
        self.optimizer_factory = Some(Box::new(move |fold, model| {
            Box::new(optimizer_factory(fold, model)) as Box<dyn Optimizer>
        }));
        self
    }

    /// The splitter (number of folds, shuffle, seed).
    pub fn splitter(&self) -> &StratifiedKFold {
        &self.splitter
    }

    /// Runs every fold: `model_factory(fold)` builds a fresh model, a [`Trainer`] trains it
    /// on the other folds' rows of `dataset`, evaluates it on the held-out rows and predicts
    /// them. `labels[i]` is row `i`'s class, used only to stratify.
    pub fn run<D, L>(
        &self,
        mut model_factory: impl FnMut(usize) -> M,
        dataset: D,
        labels: &[L],
    ) -> Result<CvOutput<M>, CvError>
    where
        D: Dataset + 'static,
        C: Collate<D::Item, Batch = B>,
        L: Ord + Clone,
    {
        let n_rows = dataset.len();
        if labels.len() != n_rows {
            return Err(CvError::LabelCount {
                n_rows,
                n_labels: labels.len(),
            });
        }
        let split = self.splitter.split_with_warning(labels)?;
        let data = Arc::new(dataset);
        let mut folds = Vec::with_capacity(split.folds.len());
        let mut models = Vec::with_capacity(split.folds.len());
        let mut oof: Option<(Vec<usize>, Vec<f32>)> = None;
        for (fold, (train_indices, test_indices)) in split.folds.into_iter().enumerate() {
            let trainer_error = |source| CvError::Trainer {
                fold,
                source: Box::new(source),
            };
            let output_dir = self.args.output_dir.join(format!("fold-{fold}"));
            let args = TrainingArguments {
                output_dir: output_dir.clone(),
                ..self.args.clone()
            };
            let loss = self.compute_loss.clone();
            let mut trainer = Trainer::new(
                model_factory(fold),
                args,
                self.data_collator.clone(),
                move |m: &M, b: &B| loss(m, b),
            )
            .map_err(trainer_error)?
            .with_train_dataset(Subset::new(data.clone(), train_indices.clone()))
            .with_eval_dataset(Subset::new(data.clone(), test_indices.clone()));
            if let Some(metrics) = self.compute_metrics.clone() {
                trainer = trainer.with_compute_metrics(move |p: &EvalPrediction| metrics(p));
            }
            if let Some(factory) = &self.optimizer_factory {
                let optimizer = factory(fold, trainer.model());
                trainer = trainer.with_boxed_optimizer(optimizer);
            }
            let train_output = trainer.train(None).map_err(trainer_error)?;
            let metrics = trainer.evaluate().map_err(trainer_error)?;
            let predictions = trainer
                .predict(Subset::new(data.clone(), test_indices.clone()))
                .map_err(trainer_error)?
                .predictions
                .ok_or(CvError::NoPredictions { fold })?;
            place_rows(&mut oof, fold, &predictions, &test_indices, n_rows)?;
            folds.push(FoldResult {
                fold,
                train_indices,
                test_indices,
                output_dir,
                train_output,
                metrics,
            });
            models.push(trainer.into_model());
        }
        let (row_shape, values) = oof.unwrap_or_default();
        let mut shape = vec![n_rows];
        shape.extend(row_shape);
        let fold_metrics: Vec<Metrics> = folds.iter().map(|f| f.metrics.clone()).collect();
        Ok(CvOutput {
            summary: CvSummary::from_folds(&fold_metrics),
            folds,
            models,
            oof_predictions: Tensor::from_vec(values, shape),
            oof_fold: split.test_fold_of,
            warning: split.warning,
        })
    }
}

/// Copies the rows of one fold's `predictions` (one per held-out row, in `test_indices`
/// order) into the out-of-fold table `oof` (row shape, values of every dataset row), which
/// the first fold creates.
fn place_rows(
    oof: &mut Option<(Vec<usize>, Vec<f32>)>,
    fold: usize,
    predictions: &Tensor,
    test_indices: &[usize],
    n_rows: usize,
) -> Result<(), CvError> {
    let dims = predictions.dims().to_vec();
    let row_shape = dims.get(1..).unwrap_or(&[]).to_vec();
    let (expected_row, values) = oof.get_or_insert_with(|| {
        let width: usize = row_shape.iter().product();
        (row_shape.clone(), vec![f32::NAN; n_rows * width])
    });
    if dims.first() != Some(&test_indices.len()) || row_shape != *expected_row {
        let mut expected = vec![test_indices.len()];
        expected.extend(expected_row.iter().copied());
        return Err(CvError::PredictionShape {
            fold,
            got: dims,
            expected,
        });
    }
    let width: usize = row_shape.iter().product();
    let rows = predictions.to_dtype(DType::F32).to_vec::<f32>();
    for (k, &i) in test_indices.iter().enumerate() {
        values[i * width..(i + 1) * width].copy_from_slice(&rows[k * width..(k + 1) * width]);
    }
    Ok(())
}
