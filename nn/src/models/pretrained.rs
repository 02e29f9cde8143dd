//! Hugging Face model folders: `from_pretrained(dir)` reads `config.json` and
//! `model.safetensors`, `save_pretrained(dir)` writes them so transformers loads the folder.
//!
//! Weight names are matched as transformers does: old `gamma`/`beta` LayerNorm names are read
//! as `weight`/`bias`; the unused `position_ids` buffer is skipped; a base model loads from a
//! checkpoint of a model with a head (its `bert.` prefix is stripped, the head's weights are
//! reported as ignored) and a model with a head loads from a base checkpoint (the prefix is
//! added, the head is freshly initialised and reported). Anything else that does not fit, a
//! missing layer, an extra tensor inside the base model or a tensor of the wrong shape, is a
//! [`PretrainedError::Mismatch`] naming every such tensor with both shapes.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use kiln_tensor::{DType, Tensor, safetensors};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::models::error::PretrainedError;
use crate::{Module, StateDict};

/// The configuration file of a Hugging Face folder.
pub const CONFIG_FILE: &str = "config.json";
/// The weights file of a Hugging Face folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// Largest `config.json` read, in bytes (real ones are a few KiB).
pub const MAX_CONFIG_BYTES: u64 = 16 << 20;

/// A model that `from_pretrained` can build and fill from a Hugging Face folder.
pub trait PretrainedModel: Module + Sized {
    /// The `config.json` contents.
    type Config: Serialize + DeserializeOwned + Clone;

    /// The attribute the base model lives under in models with a head (`"bert"`).
    const BASE_MODEL_PREFIX: &'static str;

    /// The class name written to `architectures` (`"BertModel"`).
    const ARCHITECTURE: &'static str;

    /// Parses and validates `config.json` text; `source` names the file in errors.
    fn parse_config(text: &str, source: &str) -> Result<Self::Config, PretrainedError>;

    /// The model for `config` with placeholder (zero) weights, to be filled by a checkpoint.
    fn build(config: &Self::Config) -> Self;

    /// transformers' `_init_weights` for the parameters whose names `select` accepts (all of
    /// them for a model trained from scratch, the new head for a pretrained one).
    fn init_weights(&self, select: &dyn Fn(&str) -> bool);

    /// The configuration the model was built from.
    fn config(&self) -> &Self::Config;

    /// How many parameters the model built from `config` holds (`None` when that overflows),
    /// checked against the weights file before anything is allocated.
    fn parameter_count(config: &Self::Config) -> Option<u128>;

    /// Parameters that may be absent from a checkpoint and are then freshly initialised
    /// (a new classification head, BERT's pooler): a predicate on the dotted name.
    fn may_be_missing(name: &str) -> bool;

    /// Checkpoint tensors this model may leave unused, listed as ignored instead of being a
    /// mismatch (BERT's pooler weights in a model built without a pooler, as transformers'
    /// `add_pooling_layer=False` skips them); a predicate on the dotted name.
    fn may_be_unused(_name: &str) -> bool {
        false
    }
}

/// What `from_pretrained` did besides loading tensors one to one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Parameters the checkpoint lacked, initialised afresh (e.g. `classifier.weight`).
    pub newly_initialized: Vec<String>,
    /// Checkpoint tensors outside this model that were skipped (another model's head).
    pub ignored: Vec<String>,
}

/// Reads `dir/config.json` into `M::Config`.
pub fn read_config<M: PretrainedModel>(dir: &Path) -> Result<M::Config, PretrainedError> {
    let path = dir.join(CONFIG_FILE);
    let text = read_bounded(&path)?;
    M::parse_config(&text, &path.display().to_string())
}

/// Reads a text file of at most [`MAX_CONFIG_BYTES`].
fn read_bounded(path: &Path) -> Result<String, PretrainedError> {
    let io = |source| PretrainedError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_CONFIG_BYTES {
        return Err(PretrainedError::Config {
            path: path.to_path_buf(),
            message: format!("{len} bytes is larger than the {MAX_CONFIG_BYTES} a config may be"),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    String::from_utf8(bytes).map_err(|e| PretrainedError::Config {
        path: path.to_path_buf(),
        message: format!("not UTF-8: {e}"),
    })
}

/// Builds `M` from the Hugging Face folder `dir` (`AutoModel.from_pretrained(dir)`).
pub fn from_pretrained<M: PretrainedModel>(dir: &Path) -> Result<(M, LoadReport), PretrainedError> {
    from_pretrained_with(dir, |_| {})
}

/// [`from_pretrained`] with the config changed by `edit` before the model is built
/// (transformers' `from_pretrained(dir, num_labels=…)` and other config overrides).
pub fn from_pretrained_with<M: PretrainedModel>(
    dir: &Path,
    edit: impl FnOnce(&mut M::Config),
) -> Result<(M, LoadReport), PretrainedError> {
    let mut config = read_config::<M>(dir)?;
    edit(&mut config);
    let path = dir.join(WEIGHTS_FILE);
    check_size_against_weights::<M>(&config, &path)?;
    let model = M::build(&config);
    let tensors = safetensors::load(&path).map_err(|source| PretrainedError::Weights {
        path: path.clone(),
        source,
    })?;
    let report = load_weights(&model, tensors, &path)?;
    Ok((model, report))
}

/// Parameters a model may have beyond what its weights file holds (a new classification head
/// is initialised, not loaded): 2^26, 256 MiB of f32.
pub const MAX_NEW_PARAMETERS: u128 = 1 << 26;

/// Refuses a config whose model would hold more parameters than the weights file can provide
/// (at 2 bytes each, f16/bf16) plus [`MAX_NEW_PARAMETERS`], so a corrupt size in `config.json`
/// cannot make `from_pretrained` allocate without bound before the weights are compared.
fn check_size_against_weights<M: PretrainedModel>(
    config: &M::Config,
    weights: &Path,
) -> Result<(), PretrainedError> {
    let file_len = std::fs::metadata(weights)
        .map_err(|source| PretrainedError::Io {
            path: weights.to_path_buf(),
            source,
        })?
        .len() as u128;
    let limit = file_len / 2 + MAX_NEW_PARAMETERS;
    match M::parameter_count(config) {
        Some(n) if n <= limit => Ok(()),
        n => Err(PretrainedError::Config {
            path: weights.with_file_name(CONFIG_FILE),
            message: format!(
                "the sizes describe a model of {} parameters, more than {} ({} holds {file_len} \
                 bytes); is a size in the config wrong?",
                n.map_or("too many".to_string(), |n| n.to_string()),
                limit,
                WEIGHTS_FILE
            ),
        }),
    }
}

/// Loads checkpoint `tensors` into `model` with transformers' name matching (see the module
/// documentation); `path` names the file in errors. Nothing is written unless all fits.
pub fn load_weights<M: PretrainedModel>(
    model: &M,
    tensors: Vec<(String, Tensor)>,
    path: &Path,
) -> Result<LoadReport, PretrainedError> {
    let expected: HashSet<String> = model.state_dict().names().map(str::to_string).collect();
    let prefix = format!("{}.", M::BASE_MODEL_PREFIX);
    let model_has_head = expected.iter().any(|n| n.starts_with(&prefix));
    let checkpoint_has_head = tensors.iter().any(|(n, _)| n.starts_with(&prefix));
    let mut report = LoadReport::default();
    let mut state = StateDict::new();
    for (name, tensor) in tensors {
        let name = legacy_rename(&name);
        if name.ends_with("position_ids") && !expected.contains(&name) {
            continue;
        }
        let name = match (model_has_head, checkpoint_has_head) {
            (true, false) => format!("{prefix}{name}"),
            (false, true) => match name.strip_prefix(&prefix) {
                Some(inner) => inner.to_string(),
                None => {
                    report.ignored.push(name);
                    continue;
                }
            },
            _ => name,
        };
        // A model with a head skips another head's weights, but not unknown base-model ones.
        let other_head = model_has_head && !name.starts_with(&prefix);
        if !expected.contains(&name) && (other_head || M::may_be_unused(&name)) {
            report.ignored.push(name);
            continue;
        }
        let tensor = if tensor.dtype().is_float() && tensor.dtype() != DType::F32 {
            tensor.to_dtype(DType::F32)
        } else {
            tensor
        };
        state.insert(&name, tensor);
    }
    let provided: HashSet<&str> = state.names().collect();
    let fresh: Vec<String> = model
        .state_dict()
        .names()
        .filter(|n| !provided.contains(n) && M::may_be_missing(n))
        .map(str::to_string)
        .collect();
    if !fresh.is_empty() {
        let selected: HashSet<&str> = fresh.iter().map(String::as_str).collect();
        model.init_weights(&|name| selected.contains(name));
        let current = model.state_dict();
        for name in &fresh {
            if let Some(t) = current.get(name) {
                state.insert(name, t.clone());
            }
        }
    }
    model
        .load_state_dict(&state, true)
        .map_err(|source| PretrainedError::Mismatch {
            path: path.to_path_buf(),
            source,
        })?;
    report.newly_initialized = fresh;
    Ok(report)
}

/// transformers' renames of old checkpoints: LayerNorm `gamma` → `weight`, `beta` → `bias`.
fn legacy_rename(name: &str) -> String {
    if let Some(stem) = name.strip_suffix(".gamma") {
        format!("{stem}.weight")
    } else if let Some(stem) = name.strip_suffix(".beta") {
        format!("{stem}.bias")
    } else {
        name.to_string()
    }
}

/// Writes `config.json` (with `architectures` set) and `model.safetensors` (metadata
/// `format: pt`, as transformers expects) into `dir`, creating it (`save_pretrained(dir)`).
/// Each file is written under a temporary name and renamed, so an interrupted save never leaves
/// a half-written file under the real name.
pub fn save_pretrained<M: PretrainedModel>(model: &M, dir: &Path) -> Result<(), PretrainedError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| PretrainedError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let mut config = serde_json::to_value(model.config()).map_err(|e| PretrainedError::Config {
        path: dir.join(CONFIG_FILE),
        message: e.to_string(),
    })?;
    config["architectures"] = serde_json::json!([M::ARCHITECTURE]);
    let text = serde_json::to_string_pretty(&config).expect("a JSON value always serialises");
    write_atomically(&dir.join(CONFIG_FILE), |tmp| {
        std::fs::write(tmp, format!("{text}\n")).map_err(io(tmp))
    })?;
    let state = model.state_dict();
    let metadata = HashMap::from([("format".to_string(), "pt".to_string())]);
    write_atomically(&dir.join(WEIGHTS_FILE), |tmp| {
        safetensors::save(tmp, state.iter(), Some(&metadata)).map_err(|source| {
            PretrainedError::Weights {
                path: tmp.to_path_buf(),
                source,
            }
        })
    })
}

/// Runs `write` on `path` with `.tmp` appended, then renames the result onto `path`.
fn write_atomically(
    path: &Path,
    write: impl FnOnce(&Path) -> Result<(), PretrainedError>,
) -> Result<(), PretrainedError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    write(&tmp)?;
    std::fs::rename(&tmp, path).map_err(|source| PretrainedError::Io {
        path: path.to_path_buf(),
        source,
    })
}
