//! `CrossEntropyLoss`: softmax cross-entropy against class indices or probabilities.

use std::fmt;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::{CrossEntropyOptions, Reduction, cross_entropy};

/// Cross-entropy of logits against class indices or class probabilities
/// (`torch.nn.CrossEntropyLoss`); see [`cross_entropy`] for the formula. Defaults equal
/// PyTorch's: no weights, `ignore_index = -100`, mean, no label smoothing.
///
/// ```
/// use kiln_autograd::Var;
/// use kiln_nn::loss::CrossEntropyLoss;
/// use kiln_tensor::tensor;
///
/// let loss_fn = CrossEntropyLoss::new().with_label_smoothing(0.1);
/// let loss = loss_fn.forward(&Var::parameter(tensor![[2.0, 5.0]]), &Var::constant(tensor![1i64]));
/// assert!(loss.value().item::<f32>() > 0.0486);
/// assert_eq!(loss_fn.to_string(), "CrossEntropyLoss()");
/// ```
#[derive(Clone, Debug, Default)]
pub struct CrossEntropyLoss {
    /// The options passed to [`cross_entropy`].
    pub options: CrossEntropyOptions,
}

impl CrossEntropyLoss {
    /// The loss with PyTorch's defaults (`nn.CrossEntropyLoss()`).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the per-class weights, `[C]` (`weight=`).
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.options.weight = Some(weight);
        self
    }
    /// Sets the ignored class-index target value (`ignore_index=`).
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.options.ignore_index = ignore_index;
        self
    }
    /// Sets the reduction (`reduction=`).
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.options.reduction = reduction;
        self
    }
    /// Sets the label smoothing in `[0, 1]` (`label_smoothing=`).
    pub fn with_label_smoothing(mut self, label_smoothing: f64) -> Self {
        self.options.label_smoothing = label_smoothing;
        self
    }
    /// The loss of logits `input` at `target` (`loss_fn(input, target)`).
    pub fn forward(&self, input: &Var, target: &Var) -> Var {
        cross_entropy(input, target, &self.options)
    }
}

impl fmt::Display for CrossEntropyLoss {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CrossEntropyLoss()")
    }
}
