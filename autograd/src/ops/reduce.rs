//! Differentiable reductions: sums, means, max/min, logsumexp.

use kiln_tensor::{Dim, Tensor};

use crate::graph::record;
use crate::var::Var;

/// Broadcasts a reduced gradient back over the reduced `dims` of `shape`.
fn expand_reduced(g: &Tensor, input: &Tensor, dims: &[usize], keepdim: bool) -> Tensor {
    let mut g = g.clone();
    if !keepdim {
        let mut sorted = dims.to_vec();
        sorted.sort_unstable();
        for &d in &sorted {
            g = g.unsqueeze(d);
        }
    }
    g.broadcast_to(input.shape()).to_dtype(input.dtype())
}

/// Resolves PyTorch-style dims (an empty list means all dims).
fn resolve_dims(dims: &[i64], rank: usize, op: &str) -> Vec<usize> {
    if dims.is_empty() {
        (0..rank).collect()
    } else {
        dims.iter().map(|&d| d.resolve(rank, op)).collect()
    }
}

impl Var {
    /// Sum of all elements, a 0-d result (`torch.sum`).
    pub fn sum(&self) -> Var {
        self.sum_dim(&[], false)
    }

    /// Sum over `dims` (all when empty) (`torch.sum(x, dims, keepdim)`).
    pub fn sum_dim(&self, dims: &[i64], keepdim: bool) -> Var {
        let x = self.value();
        let rd = resolve_dims(dims, x.dim(), "sum");
        let axes: Vec<i64> = rd.iter().map(|&d| d as i64).collect();
        let y = if axes.is_empty() {
            x.clone()
        } else {
            x.sum_dim(&axes, keepdim)
        };
        record("SumBackward1", y, &[self], move |g| {
            vec![Some(expand_reduced(g, &x, &rd, keepdim))]
        })
    }

    /// Mean of all elements (`torch.mean`).
    pub fn mean(&self) -> Var {
        self.mean_dim(&[], false)
    }

    /// Mean over `dims` (all when empty) (`torch.mean(x, dims, keepdim)`).
    pub fn mean_dim(&self, dims: &[i64], keepdim: bool) -> Var {
        let x = self.value();
        let rd = resolve_dims(dims, x.dim(), "mean");
        let count: usize = rd.iter().map(|&d| x.dims()[d]).product();
        self.sum_dim(dims, keepdim)
            .mul_scalar(1.0 / count.max(1) as f64)
    }

    /// Maximum along `dim` with the argmax indices (`torch.max(x, dim, keepdim)`); the gradient
    /// flows to the selected element.
    pub fn max_dim(&self, dim: impl Dim, keepdim: bool) -> (Var, Tensor) {
        let x = self.value();
        let d = dim.resolve(x.dim(), "max");
        let (values, indices) = x.max_dim(d, keepdim);
        let idx = indices.clone();
        let out = record("MaxBackward0", values, &[self], move |g| {
            let (g, idx) = if keepdim {
                (g.clone(), idx.clone())
            } else {
                (g.unsqueeze(d), idx.unsqueeze(d))
            };
            vec![Some(x.zeros_like().scatter_add(
                d,
                &idx,
                &g.to_dtype(x.dtype()),
            ))]
        });
        (out, indices)
    }

    /// `log Σ exp(x)` over `dims`, numerically stable (`torch.logsumexp`).
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Var {
        let x = self.value();
        let rd = resolve_dims(dims, x.dim(), "logsumexp");
        let axes: Vec<i64> = rd.iter().map(|&d| d as i64).collect();
        let y = x.logsumexp(&axes, keepdim);
        let saved = y.clone();
        record("LogsumexpBackward0", y, &[self], move |g| {
            let y_full = expand_reduced(&saved, &x, &rd, keepdim);
            let softmax = (&x - &y_full).exp();
            vec![Some(&expand_reduced(g, &x, &rd, keepdim) * &softmax)]
        })
    }
}
