//! `KLDivLoss`: Kullback–Leibler divergence of log-probabilities from a target distribution.

use std::fmt;

use kiln_autograd::Var;

use crate::functional::{KlDivReduction, kl_div};

/// KL divergence between log-probabilities `input` and a target (`torch.nn.KLDivLoss`); see
/// [`kl_div`]. Defaults equal PyTorch's: `reduction='mean'`, `log_target=False`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KLDivLoss {
    /// Reduction (`reduction=`; `BatchMean` gives the true divergence per sample).
    pub reduction: KlDivReduction,
    /// The target holds log-probabilities (`log_target=`).
    pub log_target: bool,
}

impl KLDivLoss {
    /// The loss with PyTorch's defaults (`nn.KLDivLoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the reduction (`reduction=`); a plain [`Reduction`](crate::functional::Reduction)
    /// converts.
    pub fn with_reduction(mut self, reduction: impl Into<KlDivReduction>) -> Self {
        self.reduction = reduction.into();
        self
    }
    /// Sets whether the target is given as log-probabilities (`log_target=`).
    pub fn with_log_target(mut self, log_target: bool) -> Self {
        self.log_target = log_target;
        self
    }
    /// The divergence of log-probabilities `input` from `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        kl_div(input, target, self.reduction, self.log_target)
    }
}

impl fmt::Display for KLDivLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KLDivLoss()")
    }
}
