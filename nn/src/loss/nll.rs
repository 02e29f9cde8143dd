//! `NLLLoss`: negative log-likelihood of class indices.

use std::fmt;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::{NllLossOptions, Reduction, nll_loss};

/// Negative log-likelihood of log-probabilities at class indices (`torch.nn.NLLLoss`); see
/// [`nll_loss`]. Defaults equal PyTorch's: no weights, `ignore_index = -100`, mean.
#[derive(Clone, Debug, Default)]
pub struct NLLLoss {
    /// The options passed to [`nll_loss`].
    pub options: NllLossOptions,
}

impl NLLLoss {
    /// The loss with PyTorch's defaults (`nn.NLLLoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the per-class weights, `[C]` (`weight=`).
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.options.weight = Some(weight);
        self
    }
    /// Sets the ignored target value (`ignore_index=`).
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.options.ignore_index = ignore_index;
        self
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.options.reduction = reduction;
        self
    }
    /// The loss of log-probabilities `input` at int64 `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        nll_loss(input, target, &self.options)
    }
}

impl fmt::Display for NLLLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NLLLoss()")
    }
}
