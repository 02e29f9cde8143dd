//! Evaluation and prediction (HF's `Trainer.evaluate`, `predict`, `evaluation_loop`).

use std::sync::Arc;
use std::time::Instant;

use kiln_autograd::{autocast, no_grad};
use kiln_data::{Collate, Dataset};
use kiln_nn::Module;
use kiln_tensor::Tensor;

use super::{EvalPrediction, PredictionOutput, Trainer};
use crate::training::error::TrainerError;
use crate::training::state::Metrics;

impl<M, D, C> Trainer<M, D, C>
where
    M: Module,
    D: Dataset + 'static,
    C: Collate<D::Item> + Clone + 'static,
{
    /// Evaluates on the eval data set (HF's `trainer.evaluate()`): `eval_loss`, the
    /// `compute_metrics` values with an `eval_` prefix, and timings; logged and passed to
    /// every callback's `on_evaluate`.
    pub fn evaluate(&mut self) -> Result<Metrics, TrainerError> {
        let dataset = self
            .eval_dataset
            .clone()
            .ok_or_else(|| TrainerError::MissingDataset {
                which: "eval_dataset",
                needed_by: "evaluate".into(),
            })?;
        let (_, metrics) = self.prediction_loop(dataset, "eval");
        self.log(metrics.clone());
        self.control.should_evaluate = false;
        self.each_callback(|cb, args, state, control| {
            cb.on_evaluate(args, state, control, &metrics)
        });
        Ok(metrics)
    }

    /// Predicts on `dataset` (HF's `trainer.predict`): the logits and labels of every
    /// example and `test_*` metrics. Nothing is logged.
    pub fn predict(&mut self, dataset: D) -> PredictionOutput {
        let (prediction, metrics) = self.prediction_loop(Arc::new(dataset), "test");
        PredictionOutput {
            predictions: prediction.as_ref().map(|p| p.predictions.clone()),
            label_ids: prediction.and_then(|p| p.label_ids),
            metrics,
        }
    }

    /// Runs the model without gradients over `dataset` in eval mode; returns the collected
    /// predictions and `<prefix>_loss`, `<prefix>_<metric>` and timing metrics.
    fn prediction_loop(
        &mut self,
        dataset: Arc<D>,
        prefix: &str,
    ) -> (Option<EvalPrediction>, Metrics) {
        let start = Instant::now();
        let was_training = self.model.is_training();
        self.model.eval();
        let loader = self.loader(dataset.clone(), self.args.per_device_eval_batch_size, false);
        let (mut logits, mut labels) = (Vec::new(), Vec::new());
        let (mut loss_sum, mut weight) = (0.0, 0.0);
        {
            let _no_grad = no_grad();
            for batch in loader.iter_epoch(0) {
                let output = {
                    let _amp = autocast(self.args.autocast_dtype());
                    (self.compute_loss)(&self.model, &batch)
                };
                let rows = output
                    .logits
                    .as_ref()
                    .or(output.labels.as_ref())
                    .and_then(|t| t.dims().first().copied())
                    .unwrap_or(1) as f64;
                let loss = output.loss.value().to_vec::<f64>();
                loss_sum += loss.first().copied().unwrap_or(f64::NAN) * rows;
                weight += rows;
                logits.extend(output.logits);
                labels.extend(output.labels);
            }
        }
        self.model.train(was_training);
        let prediction = (!logits.is_empty()).then(|| EvalPrediction {
            predictions: Tensor::cat(&logits, 0usize),
            label_ids: (!labels.is_empty()).then(|| Tensor::cat(&labels, 0usize)),
        });
        let mut metrics = Metrics::new();
        if weight > 0.0 {
            metrics.insert(format!("{prefix}_loss"), loss_sum / weight);
        }
        if let (Some(compute), Some(prediction)) = (&self.compute_metrics, &prediction) {
            for (key, value) in compute(prediction) {
                let key = if key.starts_with(&format!("{prefix}_")) {
                    key
                } else {
                    format!("{prefix}_{key}")
                };
                metrics.insert(key, value);
            }
        }
        let runtime = start.elapsed().as_secs_f64().max(1e-9);
        metrics.insert(format!("{prefix}_runtime"), runtime);
        metrics.insert(
            format!("{prefix}_samples_per_second"),
            dataset.len() as f64 / runtime,
        );
        metrics.insert(
            format!("{prefix}_steps_per_second"),
            loader.len() as f64 / runtime,
        );
        (prediction, metrics)
    }
}
