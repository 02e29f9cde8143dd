//! The `Optimizer` trait every optimizer implements (PyTorch's `torch.optim.Optimizer`).

use kiln_autograd::Var;

use crate::error::OptimError;
use crate::param_group::GroupSpec;
use crate::state_dict::OptimizerState;

/// An optimizer over parameter groups. Object safe, so schedulers, gradient scalers and
/// trainers take `&mut dyn Optimizer`.
pub trait Optimizer {
    /// Updates every parameter that has a gradient (`optimizer.step()`); parameters without a
    /// gradient are skipped.
    fn step(&mut self);

    /// Clears the gradients of all parameters (`optimizer.zero_grad(set_to_none)`): removes them
    /// when `set_to_none` (PyTorch's default), else sets them to zeros.
    fn zero_grad(&mut self, set_to_none: bool);

    /// Adds a group (`optimizer.add_param_group`); settings it leaves unset come from the
    /// optimizer's defaults.
    fn add_param_group(&mut self, group: GroupSpec);

    /// Number of parameter groups.
    fn num_param_groups(&self) -> usize;

    /// The parameters of group `group`.
    fn group_params(&self, group: usize) -> &[Var];

    /// All parameters in group order.
    fn params(&self) -> Vec<Var> {
        (0..self.num_param_groups())
            .flat_map(|g| self.group_params(g).to_vec())
            .collect()
    }

    /// Learning rate of group `group` (`param_groups[group]['lr']`).
    fn lr(&self, group: usize) -> f64;

    /// Sets the learning rate of group `group`.
    fn set_lr(&mut self, group: usize, lr: f64);

    /// The learning rates of all groups.
    fn lrs(&self) -> Vec<f64> {
        (0..self.num_param_groups()).map(|g| self.lr(g)).collect()
    }

    /// `param_groups[group]['initial_lr']`, set by the first scheduler attached.
    fn initial_lr(&self, group: usize) -> Option<f64>;

    /// Sets `param_groups[group]['initial_lr']`.
    fn set_initial_lr(&mut self, group: usize, lr: f64);

    /// The momentum a one-cycle schedule cycles (`momentum`, or `betas[0]` for Adam-style
    /// optimizers); `None` when the optimizer has none.
    fn momentum(&self, group: usize) -> Option<f64>;

    /// Sets the value [`Optimizer::momentum`] reads.
    fn set_momentum(&mut self, group: usize, momentum: f64);

    /// A snapshot of the state for exact resumption (`optimizer.state_dict()`).
    fn state_dict(&self) -> OptimizerState;

    /// Restores a snapshot (`optimizer.load_state_dict`). On error the optimizer is left
    /// unchanged.
    fn load_state_dict(&mut self, state: &OptimizerState) -> Result<(), OptimError>;

    /// A number unique to this optimizer object, used by [`crate::GradScaler`] to track which
    /// optimizers it has unscaled in the current step (PyTorch uses `id(optimizer)`).
    fn instance_id(&self) -> usize;
}
