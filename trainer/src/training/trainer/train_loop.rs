//! The training loop (HF's `Trainer.train`, `_run_epoch`, `_maybe_log_save_evaluate`).

use std::path::PathBuf;
use std::time::Instant;

use kiln_autograd::autocast;
use kiln_data::{Collate, DataLoader, Dataset};
use kiln_distributed::{DEFAULT_BUCKET_CAP_BYTES, Reducer, broadcast_module};
use kiln_nn::Module;
use kiln_optim::{GradScaler, clip_grad_norm_};
use kiln_tensor::manual_seed;

use super::{ResumeFrom, Run, TrainOutput, Trainer};
use crate::training::args::{IntervalStrategy, resolve_steps};
use crate::training::checkpoint::{discard_checkpoint, last_checkpoint, sorted_checkpoints};
use crate::training::control::{TrainerControl, flow_on_epoch_end, flow_on_step_end};
use crate::training::error::TrainerError;
use crate::training::schedule::{create_optimizer, create_scheduler};
use crate::training::state::{Metrics, TrainerState};

impl<M, D, C> Trainer<M, D, C>
where
    M: Module,
    D: Dataset + 'static,
    C: Collate<D::Item> + Clone + 'static,
{
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
            is_world_process_zero: self.group.is_main_process(),
            is_local_process_zero: self.group.local_rank() == 0,
            ..TrainerState::default()
        };
        self.control = TrainerControl::default();
        (self.tr_loss, self.total_loss, self.globalstep_last_logged) = (0.0, 0.0, 0);
        self.model.train(true);
        let reducer = if self.group.world_size() > 1 {
            broadcast_module(&self.model, self.group)?;
            let cap = args
                .ddp_bucket_cap_mb
                .map_or(DEFAULT_BUCKET_CAP_BYTES, |mb| mb << 20);
            Some(Reducer::new(
                self.group,
                self.model.named_parameters(),
                cap,
            )?)
        } else {
            None
        };
        let mut optimizer = match self.optimizer.take() {
            Some(given) => given,
            None => create_optimizer(self.model.named_parameters(), &args),
        };
        let scheduler = create_scheduler(optimizer.as_mut(), &args, max_steps);
        let mut run = Run {
            optimizer,
            scheduler,
            steps_in_epoch,
            scaler: args.fp16.then(GradScaler::default),
            amp_skipped_steps: 0,
            reducer,
            comm_seconds: (0.0, 0.0),
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
        self.total_loss += self.mean_over_ranks(self.tr_loss)?;
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
        if self.group.is_main_process()
            && self.args.save_total_limit == Some(1)
            && let Some(best) = self.state.best_model_checkpoint.clone()
        {
            for dir in sorted_checkpoints(&self.args.output_dir, None) {
                if dir.as_os_str() != best.as_str() {
                    discard_checkpoint(&dir)?;
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
                let output = {
                    let _amp = autocast(self.args.autocast_dtype());
                    (self.compute_loss)(&self.model, &batch)
                };
                let loss = if group_len > 1 {
                    output.loss.mul_scalar(1.0 / group_len as f64)
                } else {
                    output.loss
                };
                let last_of_group = i + 1 == group_len;
                // As DDP's `no_sync`: only the last micro-batch's backward communicates.
                let local_only = run
                    .reducer
                    .as_ref()
                    .filter(|_| !last_of_group)
                    .map(Reducer::no_sync);
                match &run.scaler {
                    Some(scaler) => scaler.scale(&loss).backward(),
                    None => loss.backward(),
                }
                drop(local_only);
                if let (true, Some(reducer)) = (last_of_group, &run.reducer) {
                    let stats = reducer.synchronize()?;
                    run.comm_seconds.0 += stats.comm_time.as_secs_f64();
                    run.comm_seconds.1 += stats.exposed_wait.as_secs_f64();
                }
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
                if last_of_group {
                    if let Some(scaler) = run.scaler.as_mut() {
                        scaler.unscale_(run.optimizer.as_mut());
                    }
                    let params = run.optimizer.params();
                    grad_norm = (self.args.max_grad_norm > 0.0)
                        .then(|| clip_grad_norm_(&params, self.args.max_grad_norm, 2.0));
                    let stepped = match run.scaler.as_mut() {
                        Some(scaler) => {
                            let ran = scaler.step(run.optimizer.as_mut());
                            scaler.update();
                            ran
                        }
                        None => {
                            run.optimizer.step();
                            true
                        }
                    };
                    learning_rate = run.scheduler.get_last_lr().first().copied();
                    // As HF (accelerate's `optimizer_step_was_skipped`): a skipped step does
                    // not advance the schedule.
                    if stepped {
                        run.scheduler.step(run.optimizer.as_mut());
                    } else {
                        run.amp_skipped_steps += 1;
                    }
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
            let tr_loss = self.mean_over_ranks(self.tr_loss)?;
            let mut logs = Metrics::new();
            logs.insert("loss".into(), tr_loss / steps);
            if let Some(norm) = grad_norm {
                logs.insert("grad_norm".into(), norm);
            }
            let lr = learning_rate
                .or_else(|| run.scheduler.get_last_lr().first().copied())
                .unwrap_or(0.0);
            logs.insert("learning_rate".into(), lr);
            if run.scaler.is_some() {
                logs.insert("amp_skipped_steps".into(), run.amp_skipped_steps as f64);
            }
            if run.reducer.is_some() {
                // Per step, on rank 0: all-reduce time, and how much of it backward waited.
                logs.insert("ddp_comm_seconds".into(), run.comm_seconds.0 / steps);
                logs.insert("ddp_wait_seconds".into(), run.comm_seconds.1 / steps);
                run.comm_seconds = (0.0, 0.0);
            }
            self.total_loss += tr_loss;
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
}
