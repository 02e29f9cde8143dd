//! [`Trainer`]: Hugging Face's training loop for any Kiln [`Module`]: gradient accumulation,
//! clipping, the schedule, logging, evaluation, checkpoints, exact resume and callbacks.
//!
//! The struct and its builders are here; the loop is in `train_loop`, evaluation and
//! prediction in `evaluation`, checkpoints in `persistence`.

mod evaluation;
mod outputs;
mod persistence;
mod train_loop;

use std::sync::Arc;

use kiln_data::samplers::DistributedSampler;
use kiln_data::{Collate, DataLoader, Dataset};
use kiln_distributed::{ProcessGroup, ReduceOp, Reducer};
use kiln_nn::Module;
use kiln_optim::schedulers::LrScheduler;
use kiln_optim::{GradScaler, Optimizer};
use kiln_tensor::Tensor;

pub use outputs::{
    ComputeLoss, ComputeMetrics, EvalPrediction, PredictionOutput, ResumeFrom, StepOutput,
    TrainOutput,
};

use crate::report::ReportCallback;
use crate::training::args::TrainingArguments;
use crate::training::callback::Callback;
use crate::training::control::TrainerControl;
use crate::training::error::TrainerError;
use crate::training::progress::{JsonlLogCallback, ProgressCallback};
use crate::training::state::{LogEntry, Metrics, TrainerState};

/// The optimizer and schedule of a run in progress.
struct Run {
    optimizer: Box<dyn Optimizer>,
    scheduler: Box<dyn LrScheduler>,
    steps_in_epoch: usize,
    /// The fp16 loss scaler; `None` unless `fp16`.
    scaler: Option<GradScaler>,
    /// fp16 steps skipped because the scaled gradients overflowed.
    amp_skipped_steps: usize,
    /// Under `mpirun`: averages the gradients over ranks during backward.
    reducer: Option<Reducer>,
    /// Communication seconds (all-reduce time, time backward waited) since the last log.
    comm_seconds: (f64, f64),
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
///
/// Launched by `mpirun -np N` (with the `mpi` feature), the same code trains data-parallel,
/// as HF's Trainer does under `torchrun`: rank 0's weights are broadcast, each rank reads its
/// [`DistributedSampler`] share of every epoch with batches of
/// `per_device_train_batch_size`, gradients are averaged over ranks during backward (only on
/// the last micro-batch of an accumulation group), logged losses and evaluation metrics are
/// reduced over ranks, and only rank 0 logs, shows progress and writes checkpoints. A step
/// is then one update on a global batch of `N × per_device_train_batch_size ×
/// gradient_accumulation_steps` examples, and `N` ranks with batch `b` see exactly the
/// examples one process with batch `N·b` sees in each step.
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
    /// The ranks of the job (a group of one unless launched by `mpirun`).
    group: &'static ProcessGroup,
}

impl<M, D, C> Trainer<M, D, C>
where
    M: Module,
    D: Dataset + 'static,
    C: Collate<D::Item> + Clone + 'static,
{
    /// A Trainer for `model` with `args`, batching with `data_collator` and computing each
    /// batch's loss with `compute_loss`. The arguments are validated here. The JSONL log, the
    /// end-of-training report (curves as SVG and PNG and `report.html` in `output_dir`) and a
    /// progress output (unless `disable_tqdm`) are the first callbacks, on rank 0 only.
    ///
    /// Joins the `mpirun` job this process belongs to, if any ([`ProcessGroup::init`]); a
    /// launch as one of several ranks without the `mpi` feature is an error.
    pub fn new(
        model: M,
        args: TrainingArguments,
        data_collator: C,
        compute_loss: impl Fn(&M, &C::Batch) -> StepOutput + 'static,
    ) -> Result<Self, TrainerError> {
        args.validate()?;
        let group = ProcessGroup::init()?;
        let mut callbacks: Vec<Box<dyn Callback>> = Vec::new();
        if group.is_main_process() {
            callbacks.push(Box::new(JsonlLogCallback::new()));
            callbacks.push(Box::new(ReportCallback::new()));
            if !args.disable_tqdm {
                callbacks.push(Box::new(ProgressCallback::new()));
            }
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
            group,
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
    pub fn with_optimizer(self, optimizer: impl Optimizer + 'static) -> Self {
        self.with_boxed_optimizer(Box::new(optimizer))
    }

    /// [`Trainer::with_optimizer`] for an optimizer already boxed (one per fold of
    /// [`crate::cv::CrossValidation`]).
    pub(crate) fn with_boxed_optimizer(mut self, optimizer: Box<dyn Optimizer>) -> Self {
        self.optimizer = Some(optimizer);
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

    /// The process group the Trainer runs in.
    pub fn process_group(&self) -> &'static ProcessGroup {
        self.group
    }

    /// A loader over `dataset`: shuffled for training, in order otherwise; under `mpirun`
    /// over this rank's share (training: padded as PyTorch's `DistributedSampler`;
    /// evaluation: every example once over all ranks).
    fn loader(&self, dataset: Arc<D>, batch_size: usize, train: bool) -> DataLoader<D, C> {
        let len = dataset.len();
        let loader = DataLoader::from_arc(dataset)
            .with_collate(self.data_collator.clone())
            .with_batch_size(batch_size)
            .with_num_workers(self.args.dataloader_num_workers);
        let group = self.group;
        if group.world_size() > 1 {
            let share = DistributedSampler::new(len, group.world_size(), group.rank());
            let share = if train {
                share
                    .with_seed(self.args.data_order_seed())
                    .with_drop_last(self.args.dataloader_drop_last)
            } else {
                share.with_shuffle(false).with_even_shares(false)
            };
            return loader
                .with_sampler(share)
                .with_drop_last(train && self.args.dataloader_drop_last);
        }
        if train {
            loader
                .with_shuffle(true)
                .with_seed(self.args.data_order_seed())
                .with_drop_last(self.args.dataloader_drop_last)
        } else {
            loader
        }
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

    /// The mean of `value` over ranks (HF's `_nested_gather(tr_loss).mean()`); `value`
    /// itself in a group of one.
    fn mean_over_ranks(&self, value: f64) -> Result<f64, TrainerError> {
        if self.group.world_size() == 1 {
            return Ok(value);
        }
        let mean = self
            .group
            .all_reduce(&Tensor::from_vec(vec![value], [1]), ReduceOp::Mean)?;
        Ok(mean.to_vec::<f64>()[0])
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
