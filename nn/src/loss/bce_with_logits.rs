//! `BCEWithLogitsLoss`: binary cross-entropy on logits, with positive-class weights.

use std::fmt;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::{BceWithLogitsOptions, Reduction, binary_cross_entropy_with_logits};

/// Sigmoid plus binary cross-entropy in one stable step (`torch.nn.BCEWithLogitsLoss`); see
/// [`binary_cross_entropy_with_logits`]. Defaults equal PyTorch's: no weights, mean.
#[derive(Clone, Debug, Default)]
pub struct BCEWithLogitsLoss {
    /// The options passed to [`binary_cross_entropy_with_logits`].
    pub options: BceWithLogitsOptions,
}

impl BCEWithLogitsLoss {
    /// The loss with PyTorch's defaults (`nn.BCEWithLogitsLoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the element weights (`weight=`).
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.options.weight = Some(weight);
        self
    }
    /// Sets the positive-class weights, broadcast against the input (`pos_weight=`).
    pub fn with_pos_weight(mut self, pos_weight: Tensor) -> Self {
        self.options.pos_weight = Some(pos_weight);
        self
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.options.reduction = reduction;
        self
    }
    /// The loss of logits `input` against `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        binary_cross_entropy_with_logits(input, target, &self.options)
    }
}

impl fmt::Display for BCEWithLogitsLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BCEWithLogitsLoss()")
    }
}
