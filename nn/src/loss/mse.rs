//! `MSELoss`: mean squared error.

use std::fmt;

use kiln_autograd::Var;

use crate::functional::{Reduction, mse_loss};

/// Mean squared error between input and target (`torch.nn.MSELoss`); see [`mse_loss`].
/// The default reduction is mean, as in PyTorch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MSELoss {
    /// Reduction of the per-element losses (`reduction=`).
    pub reduction: Reduction,
}

impl MSELoss {
    /// The loss with PyTorch's defaults (`nn.MSELoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// The loss of `input` against `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        mse_loss(input, target, self.reduction)
    }
}

impl fmt::Display for MSELoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MSELoss()")
    }
}
