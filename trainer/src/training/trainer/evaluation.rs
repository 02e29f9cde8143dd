//! Evaluation and prediction (HF's `Trainer.evaluate`, `predict`, `evaluation_loop`).

use std::sync::Arc;
use std::time::Instant;

use kiln_autograd::{autocast, no_grad};
use kiln_data::{Collate, Dataset};
use kiln_distributed::{DistributedError, ProcessGroup, ReduceOp};
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
        let (_, metrics) = self.prediction_loop(dataset, "eval")?;
        self.log(metrics.clone());
        self.control.should_evaluate = false;
        self.each_callback(|cb, args, state, control| {
            cb.on_evaluate(args, state, control, &metrics)
        });
        Ok(metrics)
    }

    /// Predicts on `dataset` (HF's `trainer.predict`): the logits and labels of every
    /// example and `test_*` metrics. Nothing is logged. Under `mpirun` each rank predicts
    /// its share and every rank gets all rows in dataset order; only a failed collective is
    /// an error.
    pub fn predict(&mut self, dataset: D) -> Result<PredictionOutput, TrainerError> {
        let (prediction, metrics) = self.prediction_loop(Arc::new(dataset), "test")?;
        Ok(PredictionOutput {
            predictions: prediction.as_ref().map(|p| p.predictions.clone()),
            label_ids: prediction.and_then(|p| p.label_ids),
            metrics,
        })
    }

    /// Runs the model without gradients over `dataset` in eval mode; returns the collected
    /// predictions and `<prefix>_loss`, `<prefix>_<metric>` and timing metrics.
    fn prediction_loop(
        &mut self,
        dataset: Arc<D>,
        prefix: &str,
    ) -> Result<(Option<EvalPrediction>, Metrics), TrainerError> {
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
        let mut predictions = (!logits.is_empty()).then(|| Tensor::cat(&logits, 0usize));
        let mut label_ids = (!labels.is_empty()).then(|| Tensor::cat(&labels, 0usize));
        let group = self.group;
        if group.world_size() > 1 {
            let sums = group.all_reduce(
                &Tensor::from_vec(vec![loss_sum, weight], [2]),
                ReduceOp::Sum,
            )?;
            (loss_sum, weight) = (sums.to_vec::<f64>()[0], sums.to_vec::<f64>()[1]);
            predictions = gather_in_dataset_order(group, predictions)?;
            label_ids = gather_in_dataset_order(group, label_ids)?;
        }
        let prediction = predictions.map(|predictions| EvalPrediction {
            predictions,
            label_ids,
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
        Ok((prediction, metrics))
    }
}

/// Every rank's rows of `local` (this rank's share: dataset positions `rank, rank + world,
/// …`) back in dataset order, on every rank. Either every rank has rows or none has (an eval
/// set smaller than the world leaves a rank without, which is an error on every rank).
fn gather_in_dataset_order(
    group: &ProcessGroup,
    local: Option<Tensor>,
) -> Result<Option<Tensor>, TrainerError> {
    let holding = group.all_reduce(
        &Tensor::from_vec(vec![local.is_some() as i64], [1]),
        ReduceOp::Sum,
    )?;
    let holding = holding.to_vec::<i64>()[0] as usize;
    let local = match local {
        None if holding == 0 => return Ok(None),
        Some(local) if holding == group.world_size() => local,
        _ => {
            return Err(DistributedError::Mismatch(format!(
                "only {holding} of {} ranks have predictions: every rank needs at least one \
                 evaluation example",
                group.world_size()
            ))
            .into());
        }
    };
    let pieces = group.all_gather(&local)?;
    let world = pieces.len();
    let rows: Vec<usize> = pieces.iter().map(|p| p.dims()[0]).collect();
    let offsets: Vec<usize> = rows
        .iter()
        .scan(0, |at, &n| {
            let start = *at;
            *at += n;
            Some(start)
        })
        .collect();
    let total: usize = rows.iter().sum();
    let order: Vec<i64> = (0..total)
        .map(|p| (offsets[p % world] + p / world) as i64)
        .collect();
    let all = Tensor::cat(&pieces, 0usize);
    Ok(Some(
        all.index_select(0usize, &Tensor::from_vec(order, [total])),
    ))
}
