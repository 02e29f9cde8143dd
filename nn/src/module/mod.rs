//! The `Module` trait (`torch.nn.Module`): named parameters, buffers and child modules, train/eval
//! mode, freezing, dtype/device moves, state dicts and PyTorch's printed form.

mod boxed;
mod field;
pub(crate) mod repr;
mod state_dict;
mod walk;

pub use field::ModuleField;
pub use state_dict::{IncompatibleKeys, ShapeMismatch, StateDict, StateDictError};

use kiln_autograd::Var;
use kiln_tensor::{DType, Device, Tensor};

/// Receives a module's direct members, in registration order.
///
/// Implemented by the traversals behind [`Module::named_parameters`], [`Module::state_dict`] and
/// printing; a `Module` implementation only calls it.
pub trait Visitor {
    /// A learnable tensor (`nn.Parameter`) called `name` in its module.
    fn parameter(&mut self, name: &str, param: &Var);
    /// A persistent non-learnable tensor (`register_buffer`), e.g. BatchNorm's `running_mean`.
    fn buffer(&mut self, name: &str, buffer: &Var);
    /// A child module called `name`.
    fn child(&mut self, name: &str, module: &dyn Module);
}

/// A network component with named parameters, like `torch.nn.Module`.
///
/// Implement it with `#[derive(Module)]`; `forward` stays an inherent method (or [`Forward`] for
/// single-input layers). All methods take `&self`: parameters are [`Var`]s whose value and
/// `requires_grad` change in place, so an optimizer holding the same `Var`s sees every update.
pub trait Module: Send + Sync {
    /// The class name printed by `Display` (`Linear`, `MLP`); PyTorch's `_get_name()`.
    fn type_name(&self) -> String;

    /// Reports this module's own parameters, buffers and children to `visitor`, in order.
    fn visit(&self, visitor: &mut dyn Visitor);

    /// The text inside this module's parentheses when printed (`extra_repr`), e.g.
    /// `in_features=10, out_features=64, bias=True`.
    fn extra_repr(&self) -> String {
        String::new()
    }

    /// This module's own train/eval flag, for modules whose forward depends on it (Dropout,
    /// BatchNorm); `None` for modules without one.
    fn own_training(&self) -> Option<bool> {
        None
    }

    /// Sets this module's own flag (children are handled by [`Module::train`]).
    fn set_own_training(&self, _training: bool) {}

    /// How PyTorch prints this module (`repr(module)`); `Display` uses it.
    fn repr(&self) -> String {
        repr::module_repr(self)
    }

    /// Every parameter with its dotted name (`named_parameters()`), e.g. `hidden_layer.weight`.
    fn named_parameters(&self) -> Vec<(String, Var)> {
        walk::named_tensors(self, walk::Kind::Parameters)
    }

    /// Every parameter (`parameters()`), in `named_parameters` order.
    fn parameters(&self) -> Vec<Var> {
        self.named_parameters()
            .into_iter()
            .map(|(_, p)| p)
            .collect()
    }

    /// Every buffer with its dotted name (`named_buffers()`).
    fn named_buffers(&self) -> Vec<(String, Var)> {
        walk::named_tensors(self, walk::Kind::Buffers)
    }

    /// Total element count of all parameters; with `trainable_only`, of those that require grad.
    fn num_parameters(&self, trainable_only: bool) -> usize {
        self.parameters()
            .iter()
            .filter(|p| !trainable_only || p.requires_grad())
            .map(|p| p.value().numel())
            .sum()
    }

    /// Sets train (`true`) or eval (`false`) mode on this module and every descendant
    /// (`module.train(mode)`).
    fn train(&self, mode: bool) {
        self.set_own_training(mode);
        walk::for_each_descendant(self, &mut |m| m.set_own_training(mode));
    }

    /// Eval mode (`module.eval()`), i.e. `train(false)`.
    fn eval(&self) {
        self.train(false);
    }

    /// Whether the module is in training mode: the flag of the first module in the tree that
    /// has one; `true` for trees without any (PyTorch's default `training=True`).
    fn is_training(&self) -> bool {
        let mut found = self.own_training();
        walk::for_each_descendant(self, &mut |m| {
            if found.is_none() {
                found = m.own_training();
            }
        });
        found.unwrap_or(true)
    }

    /// Stops gradients for every parameter whose dotted name is `prefix` or starts with
    /// `prefix.` (an empty prefix freezes everything); returns how many were frozen.
    fn freeze(&self, prefix: &str) -> usize {
        walk::set_requires_grad(self, prefix, false)
    }

    /// Re-enables gradients for the parameters `freeze(prefix)` would select; returns the count.
    fn unfreeze(&self, prefix: &str) -> usize {
        walk::set_requires_grad(self, prefix, true)
    }

    /// Clears the gradient of every parameter (`module.zero_grad(set_to_none=True)`).
    fn zero_grad(&self) {
        for p in self.parameters() {
            p.zero_grad();
        }
    }

    /// Casts every floating-point parameter and buffer to `dtype` in place (`module.to(dtype)`);
    /// integer buffers such as `num_batches_tracked` keep their dtype.
    fn to_dtype(&self, dtype: DType) {
        walk::map_tensors(self, &|t: &Tensor| {
            if t.dtype().is_float() {
                t.to_dtype(dtype)
            } else {
                t.clone()
            }
        });
    }

    /// Moves every parameter and buffer to `device` in place (`module.to(device)`).
    fn to_device(&self, device: &Device) {
        walk::map_tensors(self, &|t: &Tensor| t.to_device(device));
    }

    /// Parameters then buffers of every module, under dotted names, in PyTorch's order
    /// (`state_dict()`): per module its own parameters, its own buffers, then each child.
    fn state_dict(&self) -> StateDict {
        walk::state_dict(self)
    }

    /// Copies `state` into this module's parameters and buffers (`load_state_dict`).
    ///
    /// Every name, shape and dtype is checked before anything is written, so an error leaves the
    /// module unchanged. With `strict`, missing and unexpected keys are errors too; without it they
    /// are returned in [`IncompatibleKeys`].
    fn load_state_dict(
        &self,
        state: &StateDict,
        strict: bool,
    ) -> Result<IncompatibleKeys, StateDictError> {
        state_dict::load_into(self, state, strict)
    }
}

/// A module with one input and one output, so it can sit in a [`crate::Sequential`].
pub trait Forward: Module {
    /// Runs the module on `input` (PyTorch's `module(input)`).
    fn forward(&self, input: &Var) -> Var;
}
