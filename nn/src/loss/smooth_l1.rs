//! `SmoothL1Loss`: smooth L1 loss, quadratic below `beta` and linear above.

use std::fmt;

use kiln_autograd::Var;

use crate::functional::{Reduction, smooth_l1_loss};

/// Smooth L1 loss, quadratic below `beta` and linear above (`torch.nn.SmoothL1Loss`); see
/// [`smooth_l1_loss`]. Defaults equal PyTorch's: mean, `beta = 1.0`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SmoothL1Loss {
    /// Reduction of the per-element losses (`reduction=`).
    pub reduction: Reduction,
    /// Where the loss turns from quadratic to linear (`beta=`).
    pub beta: f64,
}

impl Default for SmoothL1Loss {
    fn default() -> Self {
        SmoothL1Loss {
            reduction: Reduction::Mean,
            beta: 1.0,
        }
    }
}

impl SmoothL1Loss {
    /// The loss with PyTorch's defaults (`nn.SmoothL1Loss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// Sets the threshold (`beta=`).
    pub fn with_beta(mut self, beta: f64) -> Self {
        self.beta = beta;
        self
    }
    /// The loss of `input` against `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        smooth_l1_loss(input, target, self.reduction, self.beta)
    }
}

impl fmt::Display for SmoothL1Loss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmoothL1Loss()")
    }
}
