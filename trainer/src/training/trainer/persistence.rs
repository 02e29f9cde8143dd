//! Writing and restoring checkpoints, and `save_model` (HF's `_save_checkpoint`,
//! `_load_from_checkpoint`).

use std::path::{Path, PathBuf};

use kiln_data::{Collate, Dataset};
use kiln_nn::{Module, StateDict};
use kiln_optim::{GradScaler, OptimizerState};
use kiln_tensor::{Tensor, get_rng_state, safetensors, set_rng_state};

use super::{Run, Trainer};
use crate::training::checkpoint::{
    ARGS_FILE, CheckpointFiles, MODEL_FILE, OPTIMIZER_FILE, RESUME_FILE, RNG_FILE, ResumeState,
    RngState, SCHEDULER_FILE, SchedulerPosition, TRAINER_STATE_FILE, checkpoint_dir, json_bytes,
    read_file, read_json, rotate_checkpoints, write_checkpoint,
};
use crate::training::error::{CheckpointError, TrainerError};
use crate::training::state::TrainerState;

impl<M, D, C> Trainer<M, D, C>
where
    M: Module,
    D: Dataset + 'static,
    C: Collate<D::Item> + Clone + 'static,
{
    /// Writes `checkpoint-<global_step>` (HF's `_save_checkpoint`) and prunes old ones.
    /// Under `mpirun` every rank sends its generator state and rank 0 writes; all ranks
    /// return once the checkpoint is complete.
    pub(super) fn save_checkpoint(&mut self, run: &Run) -> Result<(), TrainerError> {
        let rng = self.gather_rng_states()?;
        // The running loss sum since the last log, as the log will reduce it: every rank
        // resumes with the mean.
        let tr_loss = self.mean_over_ranks(self.tr_loss)?;
        if !self.group.is_main_process() {
            self.group.barrier()?;
            return Ok(());
        }
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
            tr_loss,
            total_loss: self.total_loss,
            globalstep_last_logged: self.globalstep_last_logged,
            steps_in_epoch: run.steps_in_epoch,
            num_update_steps_per_epoch: self.state.num_update_steps_per_epoch,
            gradient_accumulation_steps: self.args.gradient_accumulation_steps,
            amp_skipped_steps: run.amp_skipped_steps,
            grad_scaler: run.scaler.as_ref().map(GradScaler::state_dict),
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
            (RNG_FILE, json_bytes(&rng)),
            (TRAINER_STATE_FILE, self.state.to_json_string().into_bytes()),
            (ARGS_FILE, self.args.to_json_string().into_bytes()),
            (RESUME_FILE, json_bytes(&resume)),
        ]);
        write_checkpoint(&output_dir, step, &files)?;
        let best = self.state.best_model_checkpoint.as_ref().map(PathBuf::from);
        rotate_checkpoints(&output_dir, self.args.save_total_limit, best.as_deref())?;
        if self.group.world_size() > 1 {
            self.group.barrier()?;
        }
        Ok(())
    }

    /// This process's generator, and every rank's under `mpirun`.
    fn gather_rng_states(&self) -> Result<RngState, TrainerError> {
        let global = get_rng_state();
        if self.group.world_size() == 1 {
            return Ok(RngState {
                global,
                ranks: Vec::new(),
            });
        }
        // The u64 words travel bit for bit as i64.
        let words: Vec<i64> = global.iter().map(|&w| w as i64).collect();
        let gathered = self.group.all_gather(&Tensor::from_vec(words, [4]))?;
        let ranks = gathered
            .iter()
            .map(|t| {
                let w = t.to_vec::<i64>();
                [w[0] as u64, w[1] as u64, w[2] as u64, w[3] as u64]
            })
            .collect();
        Ok(RngState { global, ranks })
    }

    /// Restores everything a checkpoint holds into this run.
    pub(super) fn load_checkpoint(
        &mut self,
        dir: &Path,
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
                     accumulation {}; this run has {}, {} and {} (with another number of \
                     ranks, keep ranks × per_device_train_batch_size the same)",
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
        run.amp_skipped_steps = resume.amp_skipped_steps;
        if let (Some(scaler), Some(saved)) = (run.scaler.as_mut(), &resume.grad_scaler) {
            scaler
                .load_state_dict(saved)
                .map_err(|source| CheckpointError::Optimizer {
                    path: dir.join(RESUME_FILE),
                    source,
                })?;
        }
        for callback in &mut self.callbacks {
            if let Some(state) = saved.stateful_callbacks.get(&callback.name()) {
                callback.load_state(state)?;
            }
        }
        set_rng_state(rng.for_rank(self.group.rank()));
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
    pub(super) fn load_weights(&self, dir: &Path) -> Result<(), TrainerError> {
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
    /// `model.safetensors` and `training_args.json`. Under `mpirun` only rank 0 writes (the
    /// ranks hold the same weights).
    pub fn save_model(&self, dir: impl AsRef<Path>) -> Result<(), TrainerError> {
        if !self.group.is_main_process() {
            return Ok(());
        }
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
}

/// A state dict as safetensors bytes.
fn state_dict_bytes(state: &StateDict) -> Result<Vec<u8>, safetensors::SafetensorsError> {
    safetensors::save_to_bytes(state.iter(), None)
}
