//! `BCELoss`: binary cross-entropy of probabilities.

use std::fmt;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::{Reduction, binary_cross_entropy};

/// Binary cross-entropy between probabilities and targets (`torch.nn.BCELoss`); see
/// [`binary_cross_entropy`]. Defaults equal PyTorch's: no weight, mean.
#[derive(Clone, Debug, Default)]
pub struct BCELoss {
    /// Rescaling weight of each element, broadcast against the input (`weight=`).
    pub weight: Option<Tensor>,
    /// Reduction of the per-element losses (`reduction=`).
    pub reduction: Reduction,
}

impl BCELoss {
    /// The loss with PyTorch's defaults (`nn.BCELoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the element weights (`weight=`).
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
    /// The loss of probabilities `input` against `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        binary_cross_entropy(input, target, self.weight.as_ref(), self.reduction)
    }
}

impl fmt::Display for BCELoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BCELoss()")
    }
}
