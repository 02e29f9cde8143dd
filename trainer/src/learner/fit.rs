//! [`Learner`]: ktrain's `get_learner(model, train_data, val_data, batch_size)` with
//! `fit_onecycle`, `fit` and `validate`, each run by a [`Trainer`].

use std::rc::Rc;
use std::sync::Arc;

use kiln_data::{Collate, Dataset};
use kiln_nn::Module;

use super::LearnerError;
use crate::training::args::{IntervalStrategy, SchedulerType, TrainingArguments};
use crate::training::state::{Metrics, TrainerState};
use crate::training::trainer::{EvalPrediction, StepOutput, TrainOutput, Trainer};

/// `compute_loss`, shared by every Trainer the learner builds.
pub(super) type SharedLoss<M, B> = Rc<dyn Fn(&M, &B) -> StepOutput>;
/// `compute_metrics`, shared by every Trainer the learner builds.
type SharedMetrics = Rc<dyn Fn(&EvalPrediction) -> Metrics>;

/// A model with its data and training settings, trained by one-liners (ktrain's `Learner`).
///
/// Every `fit*` call builds a [`Trainer`] on the same model (its parameters are shared, so
/// training continues from where the last call left off) with the learner's
/// [`TrainingArguments`], except: `learning_rate` and `num_train_epochs` are the call's,
/// `max_steps` is unset, the schedule is the call's, and `output_dir` is
/// `<output_dir>/fit-<n>` (`n` counts the calls from 0), so the checkpoints and logs of
/// successive calls stay apart. With validation data and `eval_strategy = no`, the model is
/// evaluated after every epoch, as ktrain reports `val_loss` per epoch. Each call starts a
/// fresh optimizer (Keras keeps its optimizer's moments across `fit` calls; a Trainer does
/// not).
pub struct Learner<M, D, C, B> {
    model: Arc<M>,
    train_data: Arc<D>,
    val_data: Option<Arc<D>>,
    args: TrainingArguments,
    data_collator: C,
    pub(super) compute_loss: SharedLoss<M, B>,
    compute_metrics: Option<SharedMetrics>,
    history: Vec<TrainerState>,
}

impl<M, D, C, B> Learner<M, D, C, B>
where
    M: Module + 'static,
    D: Dataset + 'static,
    C: Collate<D::Item, Batch = B> + Clone + 'static,
    B: 'static,
{
    /// A learner for `model` on `train_data` (`ktrain.get_learner(model, train_data=…,
    /// batch_size=args.per_device_train_batch_size)`), batched by `data_collator`, each
    /// batch's loss from `compute_loss`.
    pub fn new(
        model: M,
        train_data: D,
        args: TrainingArguments,
        data_collator: C,
        compute_loss: impl Fn(&M, &B) -> StepOutput + 'static,
    ) -> Self {
        Learner {
            model: Arc::new(model),
            train_data: Arc::new(train_data),
            val_data: None,
            args,
            data_collator,
            compute_loss: Rc::new(compute_loss),
            compute_metrics: None,
            history: Vec::new(),
        }
    }

    /// Sets the validation data (`val_data=`).
    pub fn with_val_data(mut self, val_data: D) -> Self {
        self.val_data = Some(Arc::new(val_data));
        self
    }

    /// Sets `compute_metrics` for the evaluations.
    pub fn with_compute_metrics(
        mut self,
        compute_metrics: impl Fn(&EvalPrediction) -> Metrics + 'static,
    ) -> Self {
        self.compute_metrics = Some(Rc::new(compute_metrics));
        self
    }

    /// The model (ktrain's `learner.model`).
    pub fn model(&self) -> &M {
        &self.model
    }

    /// The model as a shared handle, e.g. for a [`crate::learner::Predictor`].
    pub fn shared_model(&self) -> Arc<M> {
        self.model.clone()
    }

    /// The arguments every call starts from.
    pub fn args(&self) -> &TrainingArguments {
        &self.args
    }

    /// The training data.
    pub fn train_data(&self) -> &D {
        &self.train_data
    }

    /// The final [`TrainerState`] of every `fit*` call, in order (log history included).
    pub fn history(&self) -> &[TrainerState] {
        &self.history
    }

    /// Trains `epochs` epochs with the 1cycle policy peaking at `lr` (ktrain's
    /// `learner.fit_onecycle(lr, epochs)`): PyTorch's `OneCycleLR` (`lr_scheduler_type =
    /// one_cycle`): from `lr / 25` up to `lr` over the first 30% of the steps (or the
    /// warmup, when the arguments set one), cosine-annealed to `lr / 25e4`, with Adam's β₁
    /// (or SGD's momentum) cycled 0.95 → 0.85 → 0.95. ktrain's own schedule is triangular
    /// (linear up for 45%, down for 45%, a final 10% decay); the peak, the momentum range and
    /// the idea are the same.
    pub fn fit_onecycle(&mut self, lr: f64, epochs: f64) -> Result<TrainOutput, LearnerError> {
        self.fit_with(lr, epochs, SchedulerType::OneCycle)
    }

    /// Trains `epochs` epochs at the constant rate `lr` (ktrain's `learner.fit(lr, epochs)`
    /// without `cycle_len`; `lr_scheduler_type = constant`, the arguments' warmup ignored).
    pub fn fit(&mut self, lr: f64, epochs: f64) -> Result<TrainOutput, LearnerError> {
        self.fit_with(lr, epochs, SchedulerType::Constant)
    }

    /// Evaluates the model on the validation data (ktrain's `learner.validate()`;
    /// `eval_loss` and the `compute_metrics` values as `eval_<name>`).
    pub fn validate(&mut self) -> Result<Metrics, LearnerError> {
        if self.val_data.is_none() {
            return Err(LearnerError::NoValidationData);
        }
        let args = TrainingArguments {
            eval_strategy: IntervalStrategy::No,
            save_strategy: IntervalStrategy::No,
            ..self.args.clone()
        };
        let mut trainer = self.trainer(args)?;
        Ok(trainer.evaluate()?)
    }

    fn fit_with(
        &mut self,
        lr: f64,
        epochs: f64,
        schedule: SchedulerType,
    ) -> Result<TrainOutput, LearnerError> {
        let mut args = TrainingArguments {
            output_dir: self
                .args
                .output_dir
                .join(format!("fit-{}", self.history.len())),
            learning_rate: lr,
            num_train_epochs: epochs,
            max_steps: -1,
            lr_scheduler_type: schedule,
            ..self.args.clone()
        };
        if schedule == SchedulerType::Constant {
            args.warmup_steps = 0.0;
            args.warmup_ratio = 0.0;
        }
        if self.val_data.is_some() && args.eval_strategy == IntervalStrategy::No {
            args.eval_strategy = IntervalStrategy::Epoch;
        }
        let mut trainer = self.trainer(args)?;
        let result = trainer.train(None);
        self.history.push(trainer.state().clone());
        Ok(result?)
    }

    /// A Trainer on the shared model with `args`, the data, collator, loss and metrics.
    fn trainer(&self, args: TrainingArguments) -> Result<Trainer<Arc<M>, Arc<D>, C>, LearnerError> {
        args.validate()?;
        let loss = self.compute_loss.clone();
        let mut trainer = Trainer::new(
            self.model.clone(),
            args,
            self.data_collator.clone(),
            move |m: &Arc<M>, b: &B| loss(m, b),
        )?
        .with_train_dataset(self.train_data.clone());
        if let Some(val) = &self.val_data {
            trainer = trainer.with_eval_dataset(val.clone());
        }
        if let Some(metrics) = self.compute_metrics.clone() {
            trainer = trainer.with_compute_metrics(move |p: &EvalPrediction| metrics(p));
        }
        Ok(trainer)
    }

    /// A loader over the training data as the Trainer builds one: shuffled with the data
    /// seed, the training batch size.
    pub(super) fn train_loader(&self) -> kiln_data::DataLoader<D, C> {
        kiln_data::DataLoader::from_arc(self.train_data.clone())
            .with_collate(self.data_collator.clone())
            .with_batch_size(self.args.per_device_train_batch_size)
            .with_shuffle(true)
            .with_seed(self.args.data_order_seed())
            .with_num_workers(self.args.dataloader_num_workers)
    }
}
