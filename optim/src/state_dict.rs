//! `state_dict` of an optimizer and its safetensors file format.
//!
//! File layout (written by [`OptimizerState::save`]): every per-parameter state tensor is a
//! safetensors entry named `state.<param index>.<key>` (for example `state.3.exp_avg`), and the
//! scalars — optimizer name, per-parameter step counts and every group's hyper-parameters — are
//! one JSON document stored under the metadata key [`METADATA_KEY`]. Floats in that JSON
//! round-trip exactly, so a resumed run is bit-identical to an uninterrupted one.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use kiln_tensor::{Tensor, safetensors};
use serde::{Deserialize, Serialize};

use crate::error::OptimError;

/// Metadata key under which the JSON part of an optimizer state file is stored.
pub const METADATA_KEY: &str = "kiln_optim";

/// The state of one parameter (PyTorch's `optimizer.state[p]`).
#[derive(Clone, Debug, Default)]
pub struct ParamState {
    /// The step count (`state['step']`), for optimizers that keep one.
    pub step: Option<f64>,
    /// Named state tensors (`exp_avg`, `exp_avg_sq`, `momentum_buffer`, …), each with the
    /// parameter's shape.
    pub tensors: BTreeMap<String, Tensor>,
}

/// The hyper-parameters of one group and the global indices of its parameters (one entry of
/// PyTorch's `state_dict()['param_groups']`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupState {
    /// Global indices of the group's parameters (counted over all groups in order).
    pub params: Vec<usize>,
    /// Learning rate.
    pub lr: f64,
    /// Weight decay.
    pub weight_decay: f64,
    /// The learning rate a scheduler started from, if one was attached.
    pub initial_lr: Option<f64>,
    /// The optimizer-specific options as JSON (`{"betas": [0.9, 0.999], "eps": 1e-8, …}`).
    pub options: serde_json::Value,
}

impl GroupState {
    /// Checks the scalars every optimizer shares: `lr`, `weight_decay` and `initial_lr` must
    /// be finite and non-negative (the optimizer-specific `options` are checked by
    /// `load_state_dict`, which knows their type). `group` is the group's index, for the
    /// message.
    pub fn validate(&self, group: usize) -> Result<(), OptimError> {
        let scalars = [
            ("lr", Some(self.lr)),
            ("weight_decay", Some(self.weight_decay)),
            ("initial_lr", self.initial_lr),
        ];
        for (name, value) in scalars {
            if let Some(v) = value
                && !(v.is_finite() && v >= 0.0)
            {
                return Err(OptimError::Invalid(format!(
                    "`{name}` of group {group} is {v}, expected a finite non-negative number"
                )));
            }
        }
        Ok(())
    }
}

/// Everything needed to resume an optimizer exactly (PyTorch's `optimizer.state_dict()`).
///
/// File format ([`OptimizerState::save`] / [`OptimizerState::load`]): a safetensors file whose
/// tensors are the per-parameter state, named `state.<param index>.<key>` (for example
/// `state.3.exp_avg`), and whose `__metadata__` entry [`METADATA_KEY`] holds one JSON document
/// with the optimizer name, every group's hyper-parameters and parameter indices, and the
/// per-parameter step counts. Floats in the JSON round-trip exactly, so a resumed run is
/// bit-identical to an uninterrupted one.
#[derive(Clone, Debug, Default)]
pub struct OptimizerState {
    /// The optimizer type (`"Adam"`, `"SGD"`, …); loading into another type is an error.
    pub optimizer: String,
    /// Group hyper-parameters, in group order.
    pub param_groups: Vec<GroupState>,
    /// Per-parameter state by global parameter index; parameters never stepped have none.
    pub state: BTreeMap<usize, ParamState>,
}

/// Named tensors and the metadata map of a state file.
type FileParts<'a> = (Vec<(String, &'a Tensor)>, HashMap<String, String>);

/// The JSON stored in the file's metadata.
#[derive(Serialize, Deserialize)]
struct Header {
    optimizer: String,
    param_groups: Vec<GroupState>,
    /// Step counts by parameter index; also lists parameters whose state has no tensors.
    steps: BTreeMap<usize, Option<f64>>,
}

impl OptimizerState {
    /// Serialises the state to safetensors bytes (see the module doc for the layout).
    pub fn to_bytes(&self) -> Result<Vec<u8>, OptimError> {
        let (names, metadata) = self.parts()?;
        let tensors = names.iter().map(|(n, t)| (n.as_str(), *t));
        Ok(safetensors::save_to_bytes(tensors, Some(&metadata))?)
    }

    /// Writes the state to a safetensors file at `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), OptimError> {
        let (names, metadata) = self.parts()?;
        let tensors = names.iter().map(|(n, t)| (n.as_str(), *t));
        Ok(safetensors::save(path, tensors, Some(&metadata))?)
    }

    /// Reads a state written by [`OptimizerState::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<OptimizerState, OptimError> {
        let loaded = safetensors::load_with_metadata(path)?;
        OptimizerState::from_loaded(loaded)
    }

    /// Reads a state from bytes written by [`OptimizerState::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<OptimizerState, OptimError> {
        let loaded = safetensors::load_from_bytes_with_metadata(bytes)?;
        OptimizerState::from_loaded(loaded)
    }

    fn parts(&self) -> Result<FileParts<'_>, OptimError> {
        let mut names = Vec::new();
        for (idx, st) in &self.state {
            for (key, t) in &st.tensors {
                names.push((format!("state.{idx}.{key}"), t));
            }
        }
        let header = Header {
            optimizer: self.optimizer.clone(),
            param_groups: self.param_groups.clone(),
            steps: self.state.iter().map(|(i, s)| (*i, s.step)).collect(),
        };
        let json = serde_json::to_string(&header)
            .map_err(|e| OptimError::Invalid(format!("cannot encode state: {e}")))?;
        Ok((names, HashMap::from([(METADATA_KEY.to_string(), json)])))
    }

    fn from_loaded(loaded: safetensors::Loaded) -> Result<OptimizerState, OptimError> {
        let json = loaded
            .metadata
            .as_ref()
            .and_then(|m| m.get(METADATA_KEY))
            .ok_or_else(|| {
                OptimError::Invalid(format!("file has no `{METADATA_KEY}` metadata entry"))
            })?;
        let header: Header = serde_json::from_str(json)
            .map_err(|e| OptimError::Invalid(format!("metadata JSON: {e}")))?;
        // Indices are only map keys here (no allocation follows them); `load_state_dict`
        // checks them against the optimizer's parameters, and the step counts and state
        // tensors against each parameter.
        for (g, group) in header.param_groups.iter().enumerate() {
            group.validate(g)?;
        }
        let mut state: BTreeMap<usize, ParamState> = header
            .steps
            .into_iter()
            .map(|(i, step)| {
                (
                    i,
                    ParamState {
                        step,
                        tensors: BTreeMap::new(),
                    },
                )
            })
            .collect();
        for (name, tensor) in loaded.tensors {
            let (idx, key) = parse_name(&name)?;
            let entry = state
                .get_mut(&idx)
                .ok_or_else(|| OptimError::MissingState {
                    param: idx,
                    what: format!("tensor `{name}` has no entry in the step table"),
                })?;
            entry.tensors.insert(key.to_string(), tensor);
        }
        Ok(OptimizerState {
            optimizer: header.optimizer,
            param_groups: header.param_groups,
            state,
        })
    }
}

/// Splits `state.<idx>.<key>` into its parts.
fn parse_name(name: &str) -> Result<(usize, &str), OptimError> {
    let bad = || OptimError::Invalid(format!("unexpected tensor name `{name}`"));
    let rest = name.strip_prefix("state.").ok_or_else(bad)?;
    let (idx, key) = rest.split_once('.').ok_or_else(bad)?;
    let idx = idx.parse::<usize>().map_err(|_| bad())?;
    if key.is_empty() {
        return Err(bad());
    }
    Ok((idx, key))
}
