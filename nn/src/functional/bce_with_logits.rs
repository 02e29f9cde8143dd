//! Binary cross-entropy on logits (`F.binary_cross_entropy_with_logits`), computed stably.

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use super::reduction::Reduction;

/// Options of [`binary_cross_entropy_with_logits`]; defaults equal PyTorch's (no weights, mean).
#[derive(Clone, Debug, Default)]
pub struct BceWithLogitsOptions {
    /// Rescaling weight of each element, broadcast against the input (`weight`).
    pub weight: Option<Tensor>,
    /// Weight of the positive term, broadcast against the input, usually `[C]` for `C`
    /// labels: `num_negatives / num_positives` balances a label (`pos_weight`).
    pub pos_weight: Option<Tensor>,
    /// Reduction (`reduction`, default mean).
    pub reduction: Reduction,
}

impl BceWithLogitsOptions {
    /// Sets the element weights.
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// Sets the positive-class weights.
    pub fn with_pos_weight(mut self, pos_weight: Tensor) -> Self {
        self.pos_weight = Some(pos_weight);
        self
    }
    /// Sets the reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
}

/// `ln σ(x) = min(x, 0) − ln(1 + e^{−|x|})`, finite for every `x`. `minimum` splits the
/// gradient on the tie at 0, which gives the exact derivative `σ(−x) = ½` there.
pub(crate) fn log_sigmoid(x: &Var) -> Var {
    let zero = Var::constant(x.value().zeros_like());
    x.minimum(&zero).sub(&x.abs().neg().exp().log1p())
}

/// Binary cross-entropy of logits `input` against targets in `[0, 1]` of the same shape
/// (`F.binary_cross_entropy_with_logits`): with `l = 1 + (pos_weight − 1)·t`,
/// `w·((1 − t)·x − l·ln σ(x))` per element, PyTorch's stable form (no overflow for large
/// `|x|`). Gradients flow to `input` and `target`.
pub fn binary_cross_entropy_with_logits(
    input: &Var,
    target: &Var,
    options: &BceWithLogitsOptions,
) -> Var {
    let (x, t) = (input.value(), target.value());
    assert!(
        x.dims() == t.dims(),
        "binary_cross_entropy_with_logits: target size {} must be the same as input size {}",
        t.shape(),
        x.shape()
    );
    let mut log_sig = log_sigmoid(input);
    if let Some(pw) = &options.pos_weight {
        let pw = Var::constant(pw.to_dtype(x.dtype()).add_scalar(-1.0));
        log_sig = log_sig.mul(&target.mul(&pw).add_scalar(1.0));
    }
    let mut losses = target.neg().add_scalar(1.0).mul(input).sub(&log_sig);
    if let Some(w) = &options.weight {
        losses = losses.mul(&Var::constant(w.to_dtype(x.dtype())));
    }
    options.reduction.apply(&losses)
}
