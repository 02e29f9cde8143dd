//! Kullback–Leibler divergence (`F.kl_div`).

use kiln_autograd::Var;

use super::reduction::KlDivReduction;

/// Pointwise KL divergence between log-probabilities `input` and `target`
/// (`F.kl_div(input, target, reduction, log_target)`): `t·(ln t − x)` for probability targets
/// (0 where `t = 0`, like PyTorch's `xlogy`), `e^t·(t − x)` when `log_target`. `BatchMean`
/// divides the sum by `input.size(0)` (the true KL divergence per sample). The two broadcast;
/// gradients flow to both.
pub fn kl_div(input: &Var, target: &Var, reduction: KlDivReduction, log_target: bool) -> Var {
    let terms = if log_target {
        target.exp().mul(&target.sub(input))
    } else {
        let t = target.value();
        let positive = t.gt_scalar(0.0);
        // ln t where t > 0, ln 1 = 0 elsewhere: no −inf·0 in the value or the gradient.
        let safe = Var::where_(&positive, target, &Var::constant(t.ones_like()));
        target.mul(&safe.log().sub(input))
    };
    match reduction {
        KlDivReduction::None => terms,
        KlDivReduction::Mean => terms.mean(),
        KlDivReduction::Sum => terms.sum(),
        KlDivReduction::BatchMean => {
            let x = input.value();
            let batch = if x.dim() == 0 { 1 } else { x.dims()[0] };
            terms.sum().mul_scalar(1.0 / batch as f64)
        }
    }
}
