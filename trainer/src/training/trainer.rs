//! [`Trainer`]: Hugging Face's training loop for any Kiln [`Module`]: gradient accumulation,
//! clipping, the schedule, logging, evaluation, checkpoints, exact resume and callbacks.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use kiln_autograd::{Var, no_grad};
use kiln_data::{Collate, DataLoader, Dataset};
use kiln_nn::{Module, StateDict};
use kiln_optim::schedulers::LrScheduler;
use kiln_optim::{Optimizer, OptimizerState, clip_grad_norm_};
use kiln_tensor::{Tensor, get_rng_state, manual_seed, safetensors, set_rng_state};

use crate::training::args::{IntervalStrategy, TrainingArguments, resolve_steps};
use crate::training::callback::Callback;
use crate::training::checkpoint::{
    ARGS_FILE, CheckpointFiles, MODEL_FILE, OPTIMIZER_FILE, RESUME_FILE, RNG_FILE, ResumeState,
    RngState, SCHEDULER_FILE, SchedulerPosition, TRAINER_STATE_FILE, checkpoint_dir, json_bytes,
    last_checkpoint, read_file, read_json, rotate_checkpoints, sorted_checkpoints,
    write_checkpoint,
};
use crate::training::control::{TrainerControl, flow_on_epoch_end, flow_on_step_end};
use crate::training::error::{CheckpointError, TrainerError};
use crate::training::progress::{JsonlLogCallback, ProgressCallback};
use crate::training::schedule::{create_optimizer, create_scheduler};
use crate::training::state::{LogEntry, Metrics, TrainerState};

/// What the model gives for one batch: the loss to minimise and, for evaluation and
/// prediction, the logits and labels (HF's model output with `loss` and `logits`).
pub struct StepOutput {
    /// The mean loss of the batch (a scalar).
    pub loss: Var,
    /// The predictions, `[batch, …]`; collected by evaluation and prediction.
    pub logits: Option<Tensor>,
    /// The labels, `[batch, …]`; collected with the logits.
    pub labels: Option<Tensor>,
}

impl StepOutput {
    /// A loss only (enough for training).
    pub fn loss(loss: Var) -> Self {
        StepOutput {
            loss,
            logits: None,
            labels: None,
        }
    }

    /// A loss with the batch's logits and labels.
    pub fn with_predictions(loss: Var, logits: Tensor, labels: Tensor) -> Self {
        StepOutput {
            loss,
            logits: Some(logits),
            labels: Some(labels),
        }
    }
}

/// The predictions and labels of a whole evaluation set, given to `compute_metrics` (HF's
/// `EvalPrediction`).
pub struct EvalPrediction {
    /// The logits of every example, concatenated along dim 0.
    pub predictions: Tensor,
    /// The labels of every example, when the model returned them.
    pub label_ids: Option<Tensor>,
}

/// What [`Trainer::predict`] returns (HF's `PredictionOutput`).
pub struct PredictionOutput {
    /// The logits of every example, when the model returned them.
    pub predictions: Option<Tensor>,
    /// The labels of every example, when the model returned them.
    pub label_ids: Option<Tensor>,
    /// `test_loss`, `test_<metric>` and the timing metrics.
    pub metrics: Metrics,
}

/// What [`Trainer::train`] returns (HF's `TrainOutput`).
#[derive(Clone, Debug, PartialEq)]
pub struct TrainOutput {
    /// Optimizer steps taken in the whole run.
    pub global_step: usize,
    /// The mean per-step training loss over the whole run.
    pub training_loss: f64,
    /// `train_runtime`, `train_samples_per_second`, `train_steps_per_second`, `train_loss`.
    pub metrics: Metrics,
}

/// Where [`Trainer::train`] resumes from (HF's `resume_from_checkpoint=True` or a path).
#[derive(Clone, Debug, PartialEq)]
pub enum ResumeFrom {
    /// The latest complete checkpoint in `output_dir`.
    Last,
    /// This checkpoint folder.
    Checkpoint(PathBuf),
}

/// How a batch becomes a loss: `compute_loss(model, batch)`.
pub type ComputeLoss<M, B> = Box<dyn Fn(&M, &B) -> StepOutput>;

/// How predictions become metrics: `compute_metrics(eval_prediction)`; keys without the
/// `eval_` prefix get it.
pub type ComputeMetrics = Box<dyn Fn(&EvalPrediction) -> Metrics>;

/// The optimizer and schedule of a run in progress.
struct Run {
    optimizer: Box<dyn Optimizer>,
    scheduler: Box<dyn LrScheduler>,
    steps_in_epoch: usize,
}

/// Trains, evaluates and predicts with any [`Module`] (HF's `Trainer`).
///
/// The loop is Hugging Face's, step for step: batches are grouped
/// `gradient_accumulation_steps` at a time, each loss divided by its group's size; then the
/// gradients are clipped to `max_grad_norm`, the optimizer steps, the schedule steps and the
/// gradients are cleared; `DefaultFlowCallback`'s rules decide when to log, evaluate, save and
/// stop. The optimizer is built from the arguments (AdamW with no decay on biases and
/// LayerNorm weights) unless [`Trainer::with_optimizer`] gives one.
///
/// Unlike HF's, a resumed run is bit-identical to an uninterrupted one: checkpoints hold the
/// global generator, the data position, and the running loss sums of the log.
pub struct Trainer<M, D: Dataset, C: Collate<D::Item>> {
    args: TrainingArguments,
    model: M,
    data_collator: C,
    compute_loss: ComputeLoss<M, C::Batch>,
    compute_metrics: Option<ComputeMetrics>,
    train_dataset: Option<Arc<D>>,
    eval_dataset: Option<Arc<D>>,
    callbacks: Vec<Box<dyn Callback>>,
    optimizer: Option<Box<dyn Optimizer>>,
    state: TrainerState,
    control: TrainerControl,
    tr_loss: f64,
    total_loss: f64,
    globalstep_last_logged: usize,
}

impl<M, D, C> Trainer<M, D, C>
where
    M: Module,
    D: Dataset + 'static,
    C: Collate<D::Item> + Clone + 'static,
{
    /// A Trainer for `model` with `args`, batching with `data_collator` and computing each
    /// batch's loss with `compute_loss`. The arguments are validated here. A progress
    /// output (unless `disable_tqdm`) and the JSONL log are the first callbacks.
    pub fn new(
        model: M,
        args: TrainingArguments,
        data_collator: C,
        compute_loss: impl Fn(&M, &C::Batch) -> StepOutput + 'static,
    ) -> Result<Self, TrainerError> {
        args.validate()?;
        let mut callbacks: Vec<Box<dyn Callback>> = vec![Box::new(JsonlLogCallback::new())];
        if !args.disable_tqdm {
            callbacks.push(Box::new(ProgressCallback::new()));
        }
        Ok(Trainer {
            args,
            model,
            data_collator,
            compute_loss: Box::new(compute_loss),
            compute_metrics: None,
            train_dataset: None,
            eval_dataset: None,
            callbacks,
            optimizer: None,
            state: TrainerState::default(),
            control: TrainerControl::default(),
            tr_loss: 0.0,
            total_loss: 0.0,
            globalstep_last_logged: 0,
        })
    }

    /// Sets the training data (`train_dataset=`).
    pub fn with_train_dataset(mut self, dataset: D) -> Self {
        self.train_dataset = Some(Arc::new(dataset));
        self
    }

    /// Sets the evaluation data (`eval_dataset=`).
    pub fn with_eval_dataset(mut self, dataset: D) -> Self {
        self.eval_dataset = Some(Arc::new(dataset));
        self
    }

    /// Sets `compute_metrics`.
    pub fn with_compute_metrics(
        mut self,
        compute_metrics: impl Fn(&EvalPrediction) -> Metrics + 'static,
    ) -> Self {
        self.compute_metrics = Some(Box::new(compute_metrics));
        self
    }

    /// Adds a callback after the ones already there (`callbacks=[…]`, `add_callback`).
    pub fn with_callback(mut self, callback: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }

    /// Uses `optimizer` instead of the one the arguments describe (HF's
    /// `optimizers=(optimizer, None)`): for per-group learning rates, say. The schedule is
    /// still built from the arguments on top of it.
    pub fn with_optimizer(mut self, optimizer: impl Optimizer + 'static) -> Self {
        self.optimizer = Some(Box::new(optimizer));
        self
    }

    /// The arguments.
    pub fn args(&self) -> &TrainingArguments {
        &self.args
    }

    /// The model.
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The state of the last or current run.
    pub fn state(&self) -> &TrainerState {
        &self.state
    }

    /// The optimizer, once [`Trainer::train`] has built it (or as given).
    pub fn optimizer(&self) -> Option<&dyn Optimizer> {
        self.optimizer.as_deref()
    }

    /// Takes the model back.
    pub fn into_model(self) -> M {
        self.model
    }

    fn loader(&self, dataset: Arc<D>, batch_size: usize, train: bool) -> DataLoader<D, C> {
        let loader = DataLoader::from_arc(dataset)
            .with_collate(self.data_collator.clone())
            .with_batch_size(batch_size)
            .with_num_workers(self.args.dataloader_num_workers);
        if train {
            loader
                .with_shuffle(true)
                .with_seed(self.args.data_order_seed())
                .with_drop_last(self.args.dataloader_drop_last)
        } else {
            loader
        }
    }

    /// Runs training (HF's `trainer.train(resume_from_checkpoint=…)`): from scratch, or
    /// from a checkpoint of a run with the same data, batch size and accumulation, which
    /// then ends exactly as the uninterrupted run would have.
    pub fn train(
        &mut self,
        resume_from_checkpoint: Option<ResumeFrom>,
    ) -> Result<TrainOutput, TrainerError> {
        let args = self.args.clone();
        let train = self
            .train_dataset
            .clone()
            .ok_or_else(|| TrainerError::MissingDataset {
                which: "train_dataset",
                needed_by: "train".into(),
            })?;
        if args.eval_strategy != IntervalStrategy::No && self.eval_dataset.is_none() {
            return Err(TrainerError::MissingDataset {
                which: "eval_dataset",
                needed_by: format!("eval_strategy {:?}", args.eval_strategy),
            });
        }
        manual_seed(args.seed);
        let loader = self.loader(train.clone(), args.per_device_train_batch_size, true);
        let steps_in_epoch = loader.len();
        if steps_in_epoch == 0 {
            return Err(TrainerError::EmptyDataset);
        }
        let accumulation = args.gradient_accumulation_steps;
        let per_epoch = steps_in_epoch.div_ceil(accumulation).max(1);
        let (max_steps, num_train_epochs) = if args.max_steps > 0 {
            let max_steps = args.max_steps as usize;
            (max_steps, max_steps.div_ceil(per_epoch))
        } else {
            let max_steps = (args.num_train_epochs * per_epoch as f64).ceil() as usize;
            (max_steps, args.num_train_epochs.ceil() as usize)
        };
        self.state = TrainerState {
            max_steps,
            logging_steps: resolve_steps(args.logging_steps, max_steps),
            eval_steps: resolve_steps(args.eval_steps.unwrap_or(args.logging_steps), max_steps),
            save_steps: resolve_steps(args.save_steps, max_steps),
            train_batch_size: args.per_device_train_batch_size,
            num_train_epochs,
            num_update_steps_per_epoch: per_epoch,
            ..TrainerState::default()
        };
        self.control = TrainerControl::default();
        (self.tr_loss, self.total_loss, self.globalstep_last_logged) = (0.0, 0.0, 0);
        self.model.train(true);
        let mut optimizer = match self.optimizer.take() {
            Some(given) => given,
            None => create_optimizer(self.model.named_parameters(), &args),
        };
        let scheduler = create_scheduler(optimizer.as_mut(), &args, max_steps);
        let mut run = Run {
            optimizer,
            scheduler,
            steps_in_epoch,
        };
        let resumed = match resume_from_checkpoint {
            None => Ok(()),
            Some(from) => {
                let dir = match from {
                    ResumeFrom::Last => last_checkpoint(&args.output_dir),
                    ResumeFrom::Checkpoint(dir) => Ok(dir),
                };
                dir.map_err(TrainerError::from)
                    .and_then(|dir| self.load_checkpoint(&dir, &mut run))
            }
        };
        if let Err(e) = resumed {
            self.optimizer = Some(run.optimizer);
            return Err(e);
        }
        let result = self.train_loop(&loader, &mut run, train.len());
        self.optimizer = Some(run.optimizer);
        result
    }

    fn train_loop(
        &mut self,
        loader: &DataLoader<D, C>,
        run: &mut Run,
        num_examples: usize,
    ) -> Result<TrainOutput, TrainerError> {
        let per_epoch = self.state.num_update_steps_per_epoch;
        let epochs_trained = self.state.global_step / per_epoch;
        let skip = (self.state.global_step % per_epoch) * self.args.gradient_accumulation_steps;
        let initial_step = self.state.global_step;
        let start = Instant::now();
        self.control.should_training_stop = false;
        self.each_callback(|cb, args, state, control| cb.on_train_begin(args, state, control));
        for epoch in epochs_trained..self.state.num_train_epochs {
            let skip = if epoch == epochs_trained { skip } else { 0 };
            self.run_epoch(loader, run, epoch, skip)?;
            if self.control.should_training_stop {
                break;
            }
        }
        self.total_loss += self.tr_loss;
        self.tr_loss = 0.0;
        let global_step = self.state.global_step;
        let training_loss = self.total_loss / (global_step.max(1) as f64);
        let runtime = start.elapsed().as_secs_f64();
        let steps_now = (global_step - initial_step) as f64;
        let samples = num_examples as f64 * steps_now / per_epoch as f64;
        let mut metrics = Metrics::new();
        metrics.insert("train_runtime".into(), runtime);
        metrics.insert(
            "train_samples_per_second".into(),
            samples / runtime.max(1e-9),
        );
        metrics.insert(
            "train_steps_per_second".into(),
            steps_now / runtime.max(1e-9),
        );
        metrics.insert("total_flos".into(), 0.0);
        metrics.insert("train_loss".into(), training_loss);
        self.log(metrics.clone());
        if self.args.load_best_model_at_end
            && let Some(best) = self.state.best_model_checkpoint.clone()
        {
            self.load_weights(&PathBuf::from(best))?;
        }
        if self.args.save_total_limit == Some(1)
            && let Some(best) = self.state.best_model_checkpoint.clone()
        {
            for dir in sorted_checkpoints(&self.args.output_dir, None) {
                if dir.as_os_str() != best.as_str() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|source| CheckpointError::Io { path: dir, source })?;
                }
            }
        }
        self.each_callback(|cb, args, state, control| cb.on_train_end(args, state, control));
        Ok(TrainOutput {
            global_step,
            training_loss,
            metrics,
        })
    }

    /// One pass over the loader from batch `skip` (HF's `_run_epoch`).
    fn run_epoch(
        &mut self,
        loader: &DataLoader<D, C>,
        run: &mut Run,
        epoch: usize,
        skip: usize,
    ) -> Result<(), TrainerError> {
        self.control.should_epoch_stop = false;
        self.each_callback(|cb, args, state, control| cb.on_epoch_begin(args, state, control));
        let accumulation = self.args.gradient_accumulation_steps;
        let steps_in_epoch = run.steps_in_epoch;
        let per_epoch = self.state.num_update_steps_per_epoch;
        let remainder = match steps_in_epoch % accumulation {
            0 => accumulation,
            r => r,
        };
        let mut batches = loader.iter_epoch_from(epoch as u64, skip);
        let mut step = skip;
        let (mut grad_norm, mut learning_rate) = (None, None);
        for update_step in skip / accumulation..per_epoch {
            let group = if update_step + 1 != per_epoch {
                accumulation
            } else {
                remainder
            };
            let group: Vec<C::Batch> = (&mut batches).take(group).collect();
            let group_len = group.len();
            for (i, batch) in group.into_iter().enumerate() {
                if step.is_multiple_of(accumulation) {
                    self.control.should_log = false;
                    self.control.should_evaluate = false;
                    self.control.should_save = false;
                    self.each_callback(|cb, args, state, control| {
                        cb.on_step_begin(args, state, control)
                    });
                }
                let output = (self.compute_loss)(&self.model, &batch);
                let loss = if group_len > 1 {
                    output.loss.mul_scalar(1.0 / group_len as f64)
                } else {
                    output.loss
                };
                loss.backward();
                let value = loss
                    .value()
                    .to_vec::<f64>()
                    .first()
                    .copied()
                    .unwrap_or(f64::NAN);
                if self.args.logging_nan_inf_filter && !value.is_finite() {
                    let since = 1 + self.state.global_step - self.globalstep_last_logged;
                    self.tr_loss += self.tr_loss / since as f64;
                } else {
                    self.tr_loss += value;
                }
                if i + 1 == group_len {
                    let params = run.optimizer.params();
                    grad_norm = (self.args.max_grad_norm > 0.0)
                        .then(|| clip_grad_norm_(&params, self.args.max_grad_norm, 2.0));
                    run.optimizer.step();
                    learning_rate = run.scheduler.get_last_lr().first().copied();
                    run.scheduler.step(run.optimizer.as_mut());
                    run.optimizer.zero_grad(true);
                    self.state.global_step += 1;
                    self.state.epoch = epoch as f64 + (step + 1) as f64 / steps_in_epoch as f64;
                    flow_on_step_end(&self.args, &self.state, &mut self.control);
                    self.each_callback(|cb, args, state, control| {
                        cb.on_step_end(args, state, control)
                    });
                    self.maybe_log_save_evaluate(run, grad_norm, learning_rate)?;
                }
                step += 1;
                if self.control.should_epoch_stop || self.control.should_training_stop {
                    break;
                }
            }
            if group_len == 0 || self.control.should_epoch_stop || self.control.should_training_stop
            {
                break;
            }
        }
        flow_on_epoch_end(&self.args, &self.state, &mut self.control);
        self.each_callback(|cb, args, state, control| cb.on_epoch_end(args, state, control));
        self.maybe_log_save_evaluate(run, grad_norm, learning_rate)
    }

    /// HF's `_maybe_log_save_evaluate`: acts on the control flags.
    fn maybe_log_save_evaluate(
        &mut self,
        run: &mut Run,
        grad_norm: Option<f64>,
        learning_rate: Option<f64>,
    ) -> Result<(), TrainerError> {
        if self.control.should_log && self.state.global_step > self.globalstep_last_logged {
            let steps = (self.state.global_step - self.globalstep_last_logged) as f64;
            let mut logs = Metrics::new();
            logs.insert("loss".into(), self.tr_loss / steps);
            if let Some(norm) = grad_norm {
                logs.insert("grad_norm".into(), norm);
            }
            let lr = learning_rate
                .or_else(|| run.scheduler.get_last_lr().first().copied())
                .unwrap_or(0.0);
            logs.insert("learning_rate".into(), lr);
            self.total_loss += self.tr_loss;
            self.tr_loss = 0.0;
            self.globalstep_last_logged = self.state.global_step;
            self.log(logs);
        }
        if self.control.should_evaluate {
            let metrics = self.evaluate()?;
            let new_best = self.determine_best_metric(&metrics)?;
            if self.args.save_strategy == IntervalStrategy::Best {
                self.control.should_save = new_best;
            }
        }
        if self.control.should_save {
            self.save_checkpoint(run)?;
            self.control.should_save = false;
            self.each_callback(|cb, args, state, control| cb.on_save(args, state, control));
        }
        Ok(())
    }

    /// Adds `logs` (with the epoch) to the log history and tells the callbacks (HF's
    /// `Trainer.log`).
    pub fn log(&mut self, mut logs: Metrics) {
        logs.insert("epoch".into(), self.state.epoch);
        self.state.log_history.push(LogEntry {
            values: logs.clone(),
            step: self.state.global_step,
        });
        self.control.should_log = false;
        self.each_callback(|cb, args, state, control| cb.on_log(args, state, control, &logs));
    }

    /// HF's `_determine_best_metric`: records a new best value of the best-model metric.
    fn determine_best_metric(&mut self, metrics: &Metrics) -> Result<bool, TrainerError> {
        let Some(key) = self.args.best_metric_key() else {
            return Ok(false);
        };
        let Some(&value) = metrics.get(&key) else {
            return Err(TrainerError::UnknownMetric {
                metric: key,
                available: metrics.keys().cloned().collect(),
            });
        };
        let greater = self.args.greater_is_better();
        let better = match self.state.best_metric {
            None => !value.is_nan(),
            Some(best) if greater => value > best,
            Some(best) => value < best,
        };
        if better {
            self.state.best_metric = Some(value);
            if self.args.save_strategy != IntervalStrategy::No {
                self.state.best_global_step = Some(self.state.global_step);
            }
        }
        Ok(better)
    }

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
                let output = (self.compute_loss)(&self.model, &batch);
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

    /// Writes `checkpoint-<global_step>` (HF's `_save_checkpoint`) and prunes old ones.
    fn save_checkpoint(&mut self, run: &Run) -> Result<(), TrainerError> {
        let output_dir = self.args.output_dir.clone();
        let step = self.state.global_step;
        if let Some(best_step) = self.state.best_global_step {
            let best = checkpoint_dir(&output_dir, best_step);
            if best_step == step || best.is_dir() {
                self.state.best_model_checkpoint = Some(best.to_string_lossy().into_owned());
            }
        }
        for callback in &self.callbacks {
            if let Some(saved) = callback.state() {
                self.state.stateful_callbacks.insert(callback.name(), saved);
            }
        }
        let model_bytes = state_dict_bytes(&self.model.state_dict()).map_err(|source| {
            CheckpointError::Tensors {
                path: checkpoint_dir(&output_dir, step).join(MODEL_FILE),
                source,
            }
        })?;
        let optimizer_bytes =
            run.optimizer
                .state_dict()
                .to_bytes()
                .map_err(|source| CheckpointError::Optimizer {
                    path: checkpoint_dir(&output_dir, step).join(OPTIMIZER_FILE),
                    source,
                })?;
        let resume = ResumeState {
            tr_loss: self.tr_loss,
            total_loss: self.total_loss,
            globalstep_last_logged: self.globalstep_last_logged,
            steps_in_epoch: run.steps_in_epoch,
            num_update_steps_per_epoch: self.state.num_update_steps_per_epoch,
            gradient_accumulation_steps: self.args.gradient_accumulation_steps,
        };
        let files = CheckpointFiles(vec![
            (MODEL_FILE, model_bytes),
            (OPTIMIZER_FILE, optimizer_bytes),
            (
                SCHEDULER_FILE,
                json_bytes(&SchedulerPosition {
                    last_epoch: run.scheduler.last_epoch(),
                }),
            ),
            (
                RNG_FILE,
                json_bytes(&RngState {
                    global: get_rng_state(),
                }),
            ),
            (TRAINER_STATE_FILE, self.state.to_json_string().into_bytes()),
            (ARGS_FILE, self.args.to_json_string().into_bytes()),
            (RESUME_FILE, json_bytes(&resume)),
        ]);
        write_checkpoint(&output_dir, step, &files)?;
        let best = self.state.best_model_checkpoint.as_ref().map(PathBuf::from);
        rotate_checkpoints(&output_dir, self.args.save_total_limit, best.as_deref())?;
        Ok(())
    }

    /// Restores everything a checkpoint holds into this run.
    fn load_checkpoint(
        &mut self,
        dir: &std::path::Path,
        run: &mut Run,
    ) -> Result<(), TrainerError> {
        let resume: ResumeState = read_json(dir, RESUME_FILE)?;
        let expected = (
            run.steps_in_epoch,
            self.state.num_update_steps_per_epoch,
            self.args.gradient_accumulation_steps,
        );
        let found = (
            resume.steps_in_epoch,
            resume.num_update_steps_per_epoch,
            resume.gradient_accumulation_steps,
        );
        if expected != found {
            return Err(CheckpointError::Mismatch {
                path: dir.to_path_buf(),
                reason: format!(
                    "it was written by a run of {} batches per epoch, {} steps per epoch and \
                     accumulation {}; this run has {}, {} and {}",
                    found.0, found.1, found.2, expected.0, expected.1, expected.2
                ),
            }
            .into());
        }
        let saved: TrainerState = read_json(dir, TRAINER_STATE_FILE)?;
        let scheduler: SchedulerPosition = read_json(dir, SCHEDULER_FILE)?;
        let rng: RngState = read_json(dir, RNG_FILE)?;
        let optimizer_path = dir.join(OPTIMIZER_FILE);
        let optimizer_state = OptimizerState::from_bytes(&read_file(dir, OPTIMIZER_FILE)?)
            .map_err(|source| CheckpointError::Optimizer {
                path: optimizer_path.clone(),
                source,
            })?;
        self.load_weights(dir)?;
        run.optimizer
            .load_state_dict(&optimizer_state)
            .map_err(|source| CheckpointError::Optimizer {
                path: optimizer_path,
                source,
            })?;
        run.scheduler
            .step_to(run.optimizer.as_mut(), scheduler.last_epoch);
        for callback in &mut self.callbacks {
            if let Some(state) = saved.stateful_callbacks.get(&callback.name()) {
                callback.load_state(state)?;
            }
        }
        set_rng_state(rng.global);
        self.state = TrainerState {
            max_steps: self.state.max_steps,
            logging_steps: self.state.logging_steps,
            eval_steps: self.state.eval_steps,
            save_steps: self.state.save_steps,
            train_batch_size: self.state.train_batch_size,
            num_train_epochs: self.state.num_train_epochs,
            num_update_steps_per_epoch: self.state.num_update_steps_per_epoch,
            ..saved
        };
        self.tr_loss = resume.tr_loss;
        self.total_loss = resume.total_loss;
        self.globalstep_last_logged = resume.globalstep_last_logged;
        Ok(())
    }

    /// Loads `dir/model.safetensors` into the model (strict names and shapes).
    fn load_weights(&self, dir: &std::path::Path) -> Result<(), TrainerError> {
        let path = dir.join(MODEL_FILE);
        let bytes = read_file(dir, MODEL_FILE)?;
        let tensors =
            safetensors::load_from_bytes(&bytes).map_err(|source| CheckpointError::Tensors {
                path: path.clone(),
                source,
            })?;
        self.model
            .load_state_dict(&StateDict::from(tensors), true)
            .map_err(|source| CheckpointError::Weights { path, source })?;
        Ok(())
    }

    /// Writes the model's weights and the arguments to `dir` (HF's `trainer.save_model`):
    /// `model.safetensors` and `training_args.json`.
    pub fn save_model(&self, dir: impl AsRef<std::path::Path>) -> Result<(), TrainerError> {
        let dir = dir.as_ref();
        let io = |path: PathBuf| move |source| CheckpointError::Io { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let model = dir.join(MODEL_FILE);
        self.model
            .state_dict()
            .save(&model)
            .map_err(|source| CheckpointError::Tensors {
                path: model,
                source,
            })?;
        let args = dir.join(ARGS_FILE);
        std::fs::write(&args, self.args.to_json_string()).map_err(io(args))?;
        Ok(())
    }

    /// Calls `f` on every callback in order.
    fn each_callback(
        &mut self,
        mut f: impl FnMut(&mut dyn Callback, &TrainingArguments, &TrainerState, &mut TrainerControl),
    ) {
        for callback in &mut self.callbacks {
            f(
                callback.as_mut(),
                &self.args,
                &self.state,
                &mut self.control,
            );
        }
    }
}

/// A state dict as safetensors bytes.
fn state_dict_bytes(state: &StateDict) -> Result<Vec<u8>, safetensors::SafetensorsError> {
    safetensors::save_to_bytes(state.iter(), None)
}
