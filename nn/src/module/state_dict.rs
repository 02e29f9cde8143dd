//! State dicts (`module.state_dict()`): named tensors, safetensors files, and checked loading.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::Path;

use kiln_tensor::safetensors::{self, SafetensorsError};
use kiln_tensor::{DType, Tensor};

use super::Module;
use super::walk::{Kind, walk_tensors};

/// Named tensors in insertion order, like PyTorch's `OrderedDict` state dict.
#[derive(Debug, Clone, Default)]
pub struct StateDict {
    entries: Vec<(String, Tensor)>,
}

impl StateDict {
    /// An empty state dict.
    pub fn new() -> StateDict {
        StateDict::default()
    }

    /// Adds `tensor` under `name`, replacing an existing entry of that name in place.
    pub fn insert(&mut self, name: &str, tensor: Tensor) {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = tensor,
            None => self.entries.push((name.to_string(), tensor)),
        }
    }

    /// The tensor stored under `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }

    /// Removes and returns the tensor under `name`.
    pub fn remove(&mut self, name: &str) -> Option<Tensor> {
        let index = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(index).1)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry names in order (`state_dict().keys()`).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(n, _)| n.as_str())
    }

    /// `(name, tensor)` pairs in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries.iter().map(|(n, t)| (n.as_str(), t))
    }

    /// A copy with every floating-point tensor cast to `dtype` (integers unchanged), e.g. to load
    /// an f16 checkpoint into an f32 model.
    pub fn to_dtype(&self, dtype: DType) -> StateDict {
        let entries = self
            .entries
            .iter()
            .map(|(n, t)| {
                let t = if t.dtype().is_float() {
                    t.to_dtype(dtype)
                } else {
                    t.clone()
                };
                (n.clone(), t)
            })
            .collect();
        StateDict { entries }
    }

    /// Writes the entries to a safetensors file (`safetensors.torch.save_file(sd, path)`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), SafetensorsError> {
        safetensors::save(path, self.entries.iter().map(|(n, t)| (n, t)), None)
    }

    /// Reads a safetensors file (`safetensors.torch.load_file(path)`).
    pub fn load(path: impl AsRef<Path>) -> Result<StateDict, SafetensorsError> {
        Ok(StateDict::from(safetensors::load(path)?))
    }
}

impl From<Vec<(String, Tensor)>> for StateDict {
    /// Keeps the last tensor for names that repeat.
    fn from(pairs: Vec<(String, Tensor)>) -> StateDict {
        let mut out = StateDict::new();
        for (name, tensor) in pairs {
            out.insert(&name, tensor);
        }
        out
    }
}

/// Keys that did not line up in a non-strict load (PyTorch's `_IncompatibleKeys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncompatibleKeys {
    /// Model tensors the state dict did not provide (left unchanged).
    pub missing_keys: Vec<String>,
    /// State-dict entries the model has no tensor for (ignored).
    pub unexpected_keys: Vec<String>,
}

/// A tensor whose shape or dtype in the state dict differs from the model's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeMismatch {
    /// Dotted name of the tensor.
    pub name: String,
    /// Shape of the model's tensor.
    pub expected_shape: Vec<usize>,
    /// Shape found in the state dict.
    pub found_shape: Vec<usize>,
    /// Dtype of the model's tensor.
    pub expected_dtype: DType,
    /// Dtype found in the state dict.
    pub found_dtype: DType,
}

/// Why `load_state_dict` refused a state dict; lists every offending name at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDictError {
    /// The module's type name (`MLP`), as in PyTorch's message.
    pub module: String,
    /// Tensors whose shape or dtype differ (an error even when not strict, as in PyTorch).
    pub mismatched: Vec<ShapeMismatch>,
    /// Model tensors absent from the state dict (an error only when strict).
    pub missing_keys: Vec<String>,
    /// State-dict entries the model does not have (an error only when strict).
    pub unexpected_keys: Vec<String>,
}

impl fmt::Display for StateDictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let quoted = |keys: &[String]| {
            keys.iter()
                .map(|k| format!("\"{k}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        write!(f, "Error(s) in loading state_dict for {}:", self.module)?;
        if !self.missing_keys.is_empty() {
            write!(
                f,
                "\n\tMissing key(s) in state_dict: {}.",
                quoted(&self.missing_keys)
            )?;
        }
        if !self.unexpected_keys.is_empty() {
            write!(
                f,
                "\n\tUnexpected key(s) in state_dict: {}.",
                quoted(&self.unexpected_keys)
            )?;
        }
        for m in &self.mismatched {
            if m.expected_shape != m.found_shape {
                write!(
                    f,
                    "\n\tsize mismatch for {}: copying a param with shape {:?} from checkpoint, \
                     the shape in current model is {:?}.",
                    m.name, m.found_shape, m.expected_shape
                )?;
            }
            if m.expected_dtype != m.found_dtype {
                write!(
                    f,
                    "\n\tdtype mismatch for {}: checkpoint has {:?}, the model has {:?}.",
                    m.name, m.found_dtype, m.expected_dtype
                )?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for StateDictError {}

/// Checks every entry of `state` against `module`, then (only if all is well) assigns them.
pub(crate) fn load_into<M: Module + ?Sized>(
    module: &M,
    state: &StateDict,
    strict: bool,
) -> Result<IncompatibleKeys, StateDictError> {
    let provided: HashMap<&str, &Tensor> = state.iter().collect();
    let mut expected_names = HashSet::new();
    let mut assignments = Vec::new();
    let mut mismatched = Vec::new();
    let mut missing_keys = Vec::new();
    walk_tensors(
        module,
        "",
        &[Kind::Parameters, Kind::Buffers],
        &mut |name, _, var| {
            expected_names.insert(name.to_string());
            let Some(&found) = provided.get(name) else {
                missing_keys.push(name.to_string());
                return;
            };
            let current = var.value();
            if current.dims() != found.dims() || current.dtype() != found.dtype() {
                mismatched.push(ShapeMismatch {
                    name: name.to_string(),
                    expected_shape: current.dims().to_vec(),
                    found_shape: found.dims().to_vec(),
                    expected_dtype: current.dtype(),
                    found_dtype: found.dtype(),
                });
                return;
            }
            assignments.push((var.clone(), found.to_device(&current.device())));
        },
    );
    let unexpected_keys: Vec<String> = state
        .names()
        .filter(|n| !expected_names.contains(*n))
        .map(str::to_string)
        .collect();
    let keys_fail = strict && (!missing_keys.is_empty() || !unexpected_keys.is_empty());
    if !mismatched.is_empty() || keys_fail {
        return Err(StateDictError {
            module: module.type_name(),
            mismatched,
            missing_keys: if strict { missing_keys } else { Vec::new() },
            unexpected_keys: if strict { unexpected_keys } else { Vec::new() },
        });
    }
    for (var, value) in assignments {
        var.set_value(value);
    }
    Ok(IncompatibleKeys {
        missing_keys,
        unexpected_keys,
    })
}
