//! Binary cross-entropy of probabilities (`F.binary_cross_entropy`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use super::reduction::Reduction;

/// `max(ln v, −100)`: PyTorch clamps the logs of BCE so that `p = 0` or `1` gives a finite loss.
fn clamped_log(v: &Var) -> Var {
    v.log().clamp(Some(-100.0), None)
}

/// Binary cross-entropy between probabilities `input` (in `[0, 1]`) and `target` of the same
/// shape (`F.binary_cross_entropy(input, target, weight, reduction)`):
/// `−w·(t·ln p + (1 − t)·ln(1 − p))` per element, each log clamped at −100 as in PyTorch.
/// `weight` broadcasts against the input. Gradients flow to `input` and `target`.
pub fn binary_cross_entropy(
    input: &Var,
    target: &Var,
    weight: Option<&Tensor>,
    reduction: Reduction,
) -> Var {
    let (x, t) = (input.value(), target.value());
    assert!(
        x.dims() == t.dims(),
        "binary_cross_entropy: target size {} must be the same as input size {}",
        t.shape(),
        x.shape()
    );
    let one_minus = |v: &Var| v.neg().add_scalar(1.0);
    let positive = target.mul(&clamped_log(input));
    let negative = one_minus(target).mul(&clamped_log(&one_minus(input)));
    let mut losses = positive.add(&negative).neg();
    if let Some(w) = weight {
        losses = losses.mul(&Var::constant(w.to_dtype(x.dtype())));
    }
    reduction.apply(&losses)
}
