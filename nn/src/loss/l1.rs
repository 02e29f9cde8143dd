//! `L1Loss`: mean absolute error.

use std::fmt;

use kiln_autograd::Var;

use crate::functional::{Reduction, l1_loss};

/// Mean absolute error between input and target (`torch.nn.L1Loss`); see [`l1_loss`].
/// The default reduction is mean, as in PyTorch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct L1Loss {
    /// Reduction of the per-element losses (`reduction=`).
    pub reduction: Reduction,
}

impl L1Loss {
    /// The loss with PyTorch's defaults (`nn.L1Loss()`).
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
        l1_loss(input, target, self.reduction)
    }
}

impl fmt::Display for L1Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("L1Loss()")
    }
}
