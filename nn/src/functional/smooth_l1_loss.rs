//! Smooth L1 and Huber losses (`F.smooth_l1_loss`, `F.huber_loss`): quadratic near zero,
//! linear beyond a threshold.

use kiln_autograd::Var;

use super::reduction::Reduction;

/// Per element with `z = |input − target|`: `scale·z²/2` where `z < threshold`, else
/// `slope·(z − threshold/2)`.
fn piecewise(input: &Var, target: &Var, threshold: f64, scale: f64, slope: f64) -> Var {
    let diff = input.sub(target);
    let abs = diff.abs();
    let near = abs.value().lt_scalar(threshold);
    let quadratic = diff.pow_scalar(2.0).mul_scalar(0.5 * scale);
    let linear = abs.add_scalar(-0.5 * threshold).mul_scalar(slope);
    Var::where_(&near, &quadratic, &linear)
}

/// Smooth L1 loss (`F.smooth_l1_loss(input, target, reduction, beta)`): with
/// `z = |input − target|`, `0.5·z²/β` where `z < β`, else `z − β/2`; `β = 0` is the L1 loss.
/// PyTorch's default `beta` is 1.0. Panics on a negative `beta`.
pub fn smooth_l1_loss(input: &Var, target: &Var, reduction: Reduction, beta: f64) -> Var {
    assert!(
        beta >= 0.0,
        "smooth_l1_loss: beta must be non-negative, got {beta}"
    );
    if beta == 0.0 {
        return super::l1_loss(input, target, reduction);
    }
    reduction.apply(&piecewise(input, target, beta, 1.0 / beta, 1.0))
}

/// Huber loss (`F.huber_loss(input, target, reduction, delta)`): with `z = |input − target|`,
/// `0.5·z²` where `z < δ`, else `δ·(z − δ/2)`. PyTorch's default `delta` is 1.0. Panics unless
/// `delta > 0`.
pub fn huber_loss(input: &Var, target: &Var, reduction: Reduction, delta: f64) -> Var {
    assert!(
        delta > 0.0,
        "huber_loss: delta must be positive, got {delta}"
    );
    reduction.apply(&piecewise(input, target, delta, 1.0, delta))
}
