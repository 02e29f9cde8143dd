//! Mean absolute error (`F.l1_loss`).

use kiln_autograd::Var;

use super::reduction::Reduction;

/// Absolute error `|input − target|` per element, reduced (`F.l1_loss(input, target,
/// reduction)`). The two broadcast; gradients flow to both (0 where they are equal, as PyTorch).
pub fn l1_loss(input: &Var, target: &Var, reduction: Reduction) -> Var {
    reduction.apply(&input.sub(target).abs())
}
