//! `HuberLoss`: Huber loss, quadratic below `delta` and linear with slope `delta` above.

use std::fmt;

use kiln_autograd::Var;

use crate::functional::{Reduction, huber_loss};

/// Huber loss, quadratic below `delta` and linear with slope `delta` above
/// (`torch.nn.HuberLoss`); see
/// [`huber_loss`]. Defaults equal PyTorch's: mean, `delta = 1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HuberLoss {
    /// Reduction of the per-element losses (`reduction=`).
    pub reduction: Reduction,
    /// Where the loss turns from quadratic to linear (`delta=`).
    pub delta: f64,
}

impl Default for HuberLoss {
    fn default() -> Self {
        HuberLoss {
            reduction: Reduction::Mean,
            delta: 1.0,
        }
    }
}

impl HuberLoss {
    /// The loss with PyTorch's defaults (`nn.HuberLoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// Sets the threshold (`delta=`).
    pub fn with_delta(mut self, delta: f64) -> Self {
        self.delta = delta;
        self
    }
    /// The loss of `input` against `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        huber_loss(input, target, self.reduction, self.delta)
    }
}

impl fmt::Display for HuberLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HuberLoss()")
    }
}
