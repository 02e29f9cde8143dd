//! Parameter groups: the parameters an optimizer updates with one set of hyper-parameters.

use kiln_autograd::Var;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The per-optimizer settings of a group beyond `lr` and `weight_decay` (`betas` and `eps` for
/// Adam, `momentum` and `nesterov` for SGD, …). Serialised into the state dict as JSON.
pub trait GroupOptions:
    Clone + std::fmt::Debug + Serialize + DeserializeOwned + Send + 'static
{
    /// The momentum a one-cycle schedule cycles: `momentum` for SGD and RMSprop, `betas.0` for
    /// Adam/AdamW; `None` for optimizers without one (PyTorch checks for `momentum` or `betas`
    /// in `optimizer.defaults`).
    fn momentum(&self) -> Option<f64> {
        None
    }

    /// Sets the value [`GroupOptions::momentum`] reads. Does nothing for optimizers without a
    /// momentum.
    fn set_momentum(&mut self, _momentum: f64) {}

    /// Checks settings read from a saved state (`load_state_dict`) against the ranges the
    /// optimizer's constructor enforces, plus finiteness; the message names the setting.
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// `Ok` when `value` is finite and at least 0; else a message naming `name`.
pub(crate) fn non_negative(name: &str, value: f64) -> Result<(), String> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is {value}, expected a finite non-negative number"
        ))
    }
}

/// `Ok` when `value` lies in `range`; else a message naming `name`.
pub(crate) fn in_range(
    name: &str,
    value: f64,
    range: impl std::ops::RangeBounds<f64> + std::fmt::Debug,
) -> Result<(), String> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is {value}, expected a value in {range:?}"
        ))
    }
}

/// A group of parameters and its hyper-parameters (one dict of PyTorch's
/// `optimizer.param_groups`).
#[derive(Clone, Debug)]
pub struct ParamGroup<O> {
    /// The parameters (leaves) updated by this group.
    pub params: Vec<Var>,
    /// Learning rate (`lr`).
    pub lr: f64,
    /// Weight decay (`weight_decay`): L2 added to the gradient, or decoupled for AdamW.
    pub weight_decay: f64,
    /// The learning rate a scheduler started from (`initial_lr`, set by the first scheduler
    /// attached to the optimizer).
    pub initial_lr: Option<f64>,
    /// The optimizer-specific settings.
    pub options: O,
}

/// A group to add to an optimizer: parameters plus optional overrides of the optimizer's
/// default `lr` and `weight_decay` (PyTorch's `{'params': [...], 'lr': ..., 'weight_decay': ...}`).
#[derive(Clone, Debug, Default)]
pub struct GroupSpec {
    /// The parameters.
    pub params: Vec<Var>,
    /// Learning rate for this group; the optimizer's default when `None`.
    pub lr: Option<f64>,
    /// Weight decay for this group; the optimizer's default when `None`.
    pub weight_decay: Option<f64>,
}

impl GroupSpec {
    /// A group of `params` using the optimizer's defaults.
    pub fn new(params: impl IntoIterator<Item = Var>) -> GroupSpec {
        GroupSpec {
            params: params.into_iter().collect(),
            lr: None,
            weight_decay: None,
        }
    }

    /// Overrides the learning rate of this group.
    pub fn with_lr(mut self, lr: f64) -> GroupSpec {
        self.lr = Some(lr);
        self
    }

    /// Overrides the weight decay of this group.
    pub fn with_weight_decay(mut self, weight_decay: f64) -> GroupSpec {
        self.weight_decay = Some(weight_decay);
        self
    }
}

/// What an optimizer constructor accepts as parameters: a list of parameters (one group, like
/// `Adam(model.parameters())`) or a list of groups (`Adam([{...}, {...}])`).
pub trait IntoParamGroups {
    /// The groups, in order.
    fn into_param_groups(self) -> Vec<GroupSpec>;
}

impl IntoParamGroups for Vec<Var> {
    fn into_param_groups(self) -> Vec<GroupSpec> {
        vec![GroupSpec::new(self)]
    }
}

impl IntoParamGroups for &[Var] {
    fn into_param_groups(self) -> Vec<GroupSpec> {
        vec![GroupSpec::new(self.iter().cloned())]
    }
}

impl<const N: usize> IntoParamGroups for [Var; N] {
    fn into_param_groups(self) -> Vec<GroupSpec> {
        vec![GroupSpec::new(self)]
    }
}

impl IntoParamGroups for Vec<GroupSpec> {
    fn into_param_groups(self) -> Vec<GroupSpec> {
        self
    }
}

impl IntoParamGroups for GroupSpec {
    fn into_param_groups(self) -> Vec<GroupSpec> {
        vec![self]
    }
}
