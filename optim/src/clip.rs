//! Gradient clipping (`torch.nn.utils.clip_grad_norm_` and `clip_grad_value_`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

/// Rescales the gradients of `params` in place so that their joint `norm_type`-norm is at most
/// `max_norm`, and returns the norm before clipping (`torch.nn.utils.clip_grad_norm_`).
///
/// The norm is taken over all gradients together, as if concatenated; `norm_type` may be
/// `f64::INFINITY` for the largest absolute value. As in PyTorch, every gradient is multiplied
/// by `min(1, max_norm / (total_norm + 1e-6))`. Parameters without a gradient are skipped; with
/// none at all the result is 0. Norms accumulate in f64.
pub fn clip_grad_norm_<'a>(
    params: impl IntoIterator<Item = &'a Var>,
    max_norm: f64,
    norm_type: f64,
) -> f64 {
    let with_grad: Vec<(&Var, Tensor)> = params
        .into_iter()
        .filter_map(|p| p.grad().map(|g| (p, g)))
        .collect();
    if with_grad.is_empty() {
        return 0.0;
    }
    let per_tensor: Vec<f64> = with_grad
        .iter()
        .map(|(_, g)| match g.as_slice::<f32>() {
            // The common case without a copy: an f32 CPU gradient.
            Some(xs) if norm_type == 2.0 => sum_of_squares(xs).sqrt(),
            _ => vector_norm(&g.to_vec::<f64>(), norm_type),
        })
        .collect();
    let total = vector_norm(&per_tensor, norm_type);
    let coef = (max_norm / (total + 1e-6)).min(1.0);
    // A factor of exactly 1 leaves every gradient as it is: skip the copies.
    if coef < 1.0 {
        for (p, g) in with_grad {
            p.set_grad(Some(&g * coef));
        }
    }
    total
}

/// Σ x² in f64 over eight interleaved partial sums, which the compiler vectorises (a single
/// running sum cannot be reordered); as accurate as the sequential f64 sum.
fn sum_of_squares(xs: &[f32]) -> f64 {
    let mut lanes = [0.0f64; 8];
    let chunks = xs.chunks_exact(8);
    let tail = chunks.remainder();
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane += f64::from(x) * f64::from(x);
        }
    }
    let tail: f64 = tail.iter().map(|&x| f64::from(x) * f64::from(x)).sum();
    lanes.iter().sum::<f64>() + tail
}

/// The `p`-norm of `xs` (`torch.linalg.vector_norm`): max |x| for `p = ∞`, min |x| for
/// `p = −∞`, the count of non-zeros for `p = 0`.
fn vector_norm(xs: &[f64], p: f64) -> f64 {
    if p == f64::INFINITY {
        xs.iter().fold(0.0, |m: f64, x| m.max(x.abs()))
    } else if p == f64::NEG_INFINITY {
        xs.iter().fold(f64::INFINITY, |m: f64, x| m.min(x.abs()))
    } else if p == 0.0 {
        xs.iter().filter(|x| **x != 0.0).count() as f64
    } else if p == 1.0 {
        xs.iter().map(|x| x.abs()).sum()
    } else if p == 2.0 {
        xs.iter().map(|x| x * x).sum::<f64>().sqrt()
    } else {
        xs.iter()
            .map(|x| x.abs().powf(p))
            .sum::<f64>()
            .powf(1.0 / p)
    }
}

/// Clamps every gradient element of `params` to `[-clip_value, clip_value]` in place
/// (`torch.nn.utils.clip_grad_value_`). Parameters without a gradient are skipped.
pub fn clip_grad_value_<'a>(params: impl IntoIterator<Item = &'a Var>, clip_value: f64) {
    for p in params {
        if let Some(g) = p.grad() {
            p.set_grad(Some(g.clamp(Some(-clip_value), Some(clip_value))));
        }
    }
}
