//! Gradient checkpointing (`torch.utils.checkpoint.checkpoint`).

use std::sync::Arc;

use kiln_tensor::{Tensor, with_global_generator};

use crate::graph::{record, run_backward};
use crate::no_grad::{no_grad, set_grad_enabled};
use crate::var::Var;

/// Runs `segment` on `inputs` without keeping its intermediate activations; during backward the
/// segment is run again with recording on and gradients flow through the recomputation
/// (`torch.utils.checkpoint.checkpoint(fn, *inputs, use_reentrant=False)`). Parameters captured
/// by `segment` receive their gradients during that recomputation. As PyTorch's default
/// `preserve_rng_state=True`, the global generator's state is saved before the forward and put
/// back for the recomputation (then restored), so dropout inside `segment` draws the same masks
/// both times; other randomness must be deterministic.
pub fn checkpoint(segment: impl Fn(&[Var]) -> Var + Send + Sync + 'static, inputs: &[Var]) -> Var {
    let segment = Arc::new(segment);
    let values: Vec<Tensor> = inputs.iter().map(Var::value).collect();
    let rng_at_forward = with_global_generator(|g| g.clone());
    let output = {
        let _guard = no_grad();
        let detached: Vec<Var> = values.iter().cloned().map(Var::constant).collect();
        segment(&detached).value()
    };
    let flags: Vec<bool> = inputs.iter().map(Var::requires_grad).collect();
    let refs: Vec<&Var> = inputs.iter().collect();
    let recompute = Arc::clone(&segment);
    record("CheckpointFunctionBackward", output, &refs, move |g| {
        let _guard = set_grad_enabled(true);
        let leaves: Vec<Var> = values
            .iter()
            .zip(&flags)
            .map(|(v, &rg)| Var::new(v.clone(), rg))
            .collect();
        let rng_now = with_global_generator(|g| std::mem::replace(g, rng_at_forward.clone()));
        let out = recompute(&leaves);
        with_global_generator(|g| *g = rng_now);
        if out.requires_grad() {
            run_backward(&out, g.clone(), false);
        }
        leaves
            .iter()
            .map(|l| if l.requires_grad() { l.grad() } else { None })
            .collect()
    })
}
