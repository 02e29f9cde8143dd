//! Mean squared error (`F.mse_loss`).

use kiln_autograd::Var;

use super::reduction::Reduction;

/// Squared error `(input − target)²` per element, reduced (`F.mse_loss(input, target,
/// reduction)`). The two broadcast against each other; gradients flow to both.
pub fn mse_loss(input: &Var, target: &Var, reduction: Reduction) -> Var {
    reduction.apply(&input.sub(target).pow_scalar(2.0))
}
