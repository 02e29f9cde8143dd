//! Checkpoint folders in Hugging Face's layout (`<output_dir>/checkpoint-<step>/`), written
//! so that a crash at any instant leaves every earlier checkpoint intact, and pruned as
//! `save_total_limit` asks.
//!
//! A checkpoint holds `model.safetensors`, `optimizer.safetensors`, `scheduler.json`,
//! `rng_state.json`, `trainer_state.json` (HF's), `training_args.json` and
//! `kiln_resume.json` (the running loss sums and the run's shape, so a resumed run logs what
//! an uninterrupted one logs). All files go into `tmp-checkpoint-<step>/`, are fsynced, and
//! the folder is renamed into place and its parent fsynced.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use kiln_optim::GradScalerState;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::training::error::CheckpointError;

/// Prefix of checkpoint folders (HF's `PREFIX_CHECKPOINT_DIR`).
pub const CHECKPOINT_PREFIX: &str = "checkpoint";

/// What a checkpoint folder is renamed to while it is being deleted.
const DISCARDED_PREFIX: &str = "discarded-";

/// Weights file of a checkpoint.
pub const MODEL_FILE: &str = "model.safetensors";
/// Optimizer state file.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// Scheduler position file.
pub const SCHEDULER_FILE: &str = "scheduler.json";
/// Random generator state file.
pub const RNG_FILE: &str = "rng_state.json";
/// HF's trainer state file.
pub const TRAINER_STATE_FILE: &str = "trainer_state.json";
/// The run's arguments.
pub const ARGS_FILE: &str = "training_args.json";
/// Kiln's resume bookkeeping.
pub const RESUME_FILE: &str = "kiln_resume.json";

/// The scheduler's position (`scheduler.state_dict()`'s `last_epoch`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchedulerPosition {
    /// Scheduler steps taken, counting the construction step as 0.
    pub last_epoch: i64,
}

/// The generator states of a run (`rng_state.pth` in HF).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RngState {
    /// The global generator (initialisation, dropout): [`kiln_tensor::get_rng_state`].
    pub global: [u64; 4],
    /// Under `mpirun`, every rank's generator in rank order (HF writes
    /// `rng_state_<rank>.pth` files); empty for a single process.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ranks: Vec<[u64; 4]>,
}

impl RngState {
    /// The generator rank `rank` resumes with: its own, or the global one when the run that
    /// wrote the checkpoint had fewer ranks.
    pub fn for_rank(&self, rank: usize) -> [u64; 4] {
        self.ranks.get(rank).copied().unwrap_or(self.global)
    }
}

/// What a resumed run needs besides HF's state: the loss sums HF drops on resume (so the
/// next logged loss averages the same steps an uninterrupted run averages) and the run's
/// shape, which must match.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResumeState {
    /// Sum of the per-step losses since the last log entry.
    pub tr_loss: f64,
    /// Sum of the per-step losses logged so far (for `train_loss`).
    pub total_loss: f64,
    /// The step of the last training-loss log entry.
    pub globalstep_last_logged: usize,
    /// Batches per epoch of the run.
    pub steps_in_epoch: usize,
    /// Optimizer steps per epoch of the run.
    pub num_update_steps_per_epoch: usize,
    /// The run's accumulation.
    pub gradient_accumulation_steps: usize,
    /// fp16 steps skipped so far because the scaled gradients overflowed.
    #[serde(default)]
    pub amp_skipped_steps: usize,
    /// The fp16 loss scaler (`GradScaler.state_dict()`, HF's `scaler.pt`); `None` without fp16.
    #[serde(default)]
    pub grad_scaler: Option<GradScalerState>,
}

/// The files of one checkpoint, serialised, ready to be written.
pub struct CheckpointFiles(pub Vec<(&'static str, Vec<u8>)>);

/// `<output_dir>/checkpoint-<step>`.
pub fn checkpoint_dir(output_dir: &Path, step: usize) -> PathBuf {
    output_dir.join(format!("{CHECKPOINT_PREFIX}-{step}"))
}

/// Writes `files` as `checkpoint-<step>` under `output_dir`, atomically: on any error the
/// partial folder is removed and every earlier checkpoint is as it was; a checkpoint of the
/// same step is replaced only once the new one is complete.
pub fn write_checkpoint(
    output_dir: &Path,
    step: usize,
    files: &CheckpointFiles,
) -> Result<PathBuf, CheckpointError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CheckpointError::Io { path, source }
    };
    fs::create_dir_all(output_dir).map_err(io(output_dir))?;
    sweep_leftovers(output_dir);
    let tmp = output_dir.join(format!("tmp-{CHECKPOINT_PREFIX}-{step}"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    let written = write_files(&tmp, files);
    if let Err(e) = written {
        // Best effort: the error that matters is the one that stopped the save.
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    let target = checkpoint_dir(output_dir, step);
    let old = output_dir.join(format!("old-{CHECKPOINT_PREFIX}-{step}"));
    if target.exists() {
        fs::rename(&target, &old).map_err(io(&target))?;
    }
    fs::rename(&tmp, &target).map_err(io(&target))?;
    sync_dir(output_dir)?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(io(&old))?;
    }
    Ok(target)
}

fn write_files(dir: &Path, files: &CheckpointFiles) -> Result<(), CheckpointError> {
    fs::create_dir(dir).map_err(|source| CheckpointError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, bytes) in &files.0 {
        let path = dir.join(name);
        let write = || -> std::io::Result<()> {
            let mut file = File::create(&path)?;
            file.write_all(bytes)?;
            file.sync_all()
        };
        write().map_err(|source| CheckpointError::Io {
            path: path.clone(),
            source,
        })?;
    }
    sync_dir(dir)
}

/// Flushes a folder's entries (new files, renames) to disk.
fn sync_dir(dir: &Path) -> Result<(), CheckpointError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| CheckpointError::Io {
            path: dir.to_path_buf(),
            source,
        })
}

/// The `checkpoint-<step>` folders of `output_dir`, oldest step first; the best one, when
/// given and not the latest, moves to just before the latest (HF's `sort_checkpoints`).
/// Unfinished `tmp-checkpoint-*` folders are not checkpoints.
pub fn sorted_checkpoints(output_dir: &Path, best: Option<&Path>) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(output_dir) else {
        return Vec::new();
    };
    let mut found: Vec<(usize, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let step = name
                .strip_prefix(&format!("{CHECKPOINT_PREFIX}-"))?
                .parse()
                .ok()?;
            Some((step, e.path()))
        })
        .collect();
    found.sort();
    let mut sorted: Vec<PathBuf> = found.into_iter().map(|(_, p)| p).collect();
    if let Some(best) = best
        && let Some(at) = sorted.iter().position(|p| p == best)
        && at + 1 != sorted.len()
    {
        let best = sorted.remove(at);
        let latest_at = sorted.len() - 1;
        sorted.insert(latest_at, best);
    }
    sorted
}

/// Deletes the oldest checkpoints beyond `limit`, never the latest or `best` (HF's
/// `rotate_checkpoints`).
pub fn rotate_checkpoints(
    output_dir: &Path,
    limit: Option<usize>,
    best: Option<&Path>,
) -> Result<(), CheckpointError> {
    let Some(limit) = limit.filter(|&l| l > 0) else {
        return Ok(());
    };
    let checkpoints = sorted_checkpoints(output_dir, best);
    if checkpoints.len() <= limit {
        return Ok(());
    }
    let latest = checkpoints.last().cloned();
    let protected = |p: &PathBuf| Some(p) == latest.as_ref() || Some(p.as_path()) == best;
    let protected_count = checkpoints.iter().filter(|p| protected(p)).count();
    let keep = limit.max(protected_count);
    let mut remaining = checkpoints.len();
    for checkpoint in &checkpoints {
        if remaining <= keep {
            break;
        }
        if !protected(checkpoint) {
            discard_checkpoint(checkpoint)?;
            remaining -= 1;
        }
    }
    Ok(())
}

/// Deletes a checkpoint folder so that a kill at any instant leaves either the whole
/// checkpoint or none: it is first renamed out of the `checkpoint-<step>` names (one atomic
/// step), then removed file by file. A folder left half-removed by a kill is swept by the
/// next [`write_checkpoint`].
pub fn discard_checkpoint(checkpoint: &Path) -> Result<(), CheckpointError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CheckpointError::Io { path, source }
    };
    let name = checkpoint.file_name().unwrap_or_default().to_string_lossy();
    let doomed = checkpoint.with_file_name(format!("{DISCARDED_PREFIX}{name}"));
    fs::rename(checkpoint, &doomed).map_err(io(checkpoint))?;
    fs::remove_dir_all(&doomed).map_err(io(&doomed))
}

/// Removes what killed saves and deletions left in `output_dir`: unfinished
/// `tmp-checkpoint-*` folders and half-removed discarded checkpoints. Best effort.
fn sweep_leftovers(output_dir: &Path) {
    let Ok(entries) = fs::read_dir(output_dir) else {
        return;
    };
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let stale = name.starts_with(DISCARDED_PREFIX)
            || name.starts_with(&format!("tmp-{CHECKPOINT_PREFIX}-"));
        if stale && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// The latest complete checkpoint of `output_dir` (HF's `get_last_checkpoint`): the
/// highest-step `checkpoint-<step>` holding a `trainer_state.json`.
pub fn last_checkpoint(output_dir: &Path) -> Result<PathBuf, CheckpointError> {
    sorted_checkpoints(output_dir, None)
        .into_iter()
        .rev()
        .find(|p| p.join(TRAINER_STATE_FILE).is_file())
        .ok_or_else(|| CheckpointError::NoCheckpoint {
            output_dir: output_dir.to_path_buf(),
        })
}

/// Serialises `value` as pretty JSON bytes.
pub fn json_bytes<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec_pretty(value).expect("checkpoint JSON always serialises")
}

/// Reads the JSON file `name` of `checkpoint`, with errors naming it.
pub fn read_json<T: DeserializeOwned>(checkpoint: &Path, name: &str) -> Result<T, CheckpointError> {
    let bytes = read_file(checkpoint, name)?;
    let path = checkpoint.join(name);
    serde_json::from_slice(&bytes).map_err(|e| CheckpointError::Json {
        path,
        message: e.to_string(),
    })
}

/// Reads the file `name` of `checkpoint`, with errors naming it.
pub fn read_file(checkpoint: &Path, name: &str) -> Result<Vec<u8>, CheckpointError> {
    let path = checkpoint.join(name);
    fs::read(&path).map_err(|source| match source.kind() {
        std::io::ErrorKind::NotFound => CheckpointError::Missing { path },
        _ => CheckpointError::Io { path, source },
    })
}
