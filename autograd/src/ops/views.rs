//! Differentiable views and shape changes.

use kiln_tensor::{Dim, Tensor};

use crate::graph::record;
use crate::ops::sum_to;
use crate::var::Var;

/// Places `g` at `[start, start + len)` of `dim` in zeros shaped like `input`.
fn pad_into(g: &Tensor, input: &Tensor, dim: usize, start: usize) -> Tensor {
    let size = input.dims()[dim];
    let len = g.dims()[dim];
    let g = g.to_dtype(input.dtype());
    let mut parts = Vec::with_capacity(3);
    let zeros_of = |n: usize| {
        let mut dims = input.dims().to_vec();
        dims[dim] = n;
        Tensor::zeros_with(dims, input.dtype(), &input.device())
    };
    if start > 0 {
        parts.push(zeros_of(start));
    }
    parts.push(g);
    if start + len < size {
        parts.push(zeros_of(size - start - len));
    }
    Tensor::cat(&parts, dim)
}

impl Var {
    /// Same elements, another shape; one dim may be `-1` (`reshape`).
    pub fn reshape(&self, dims: &[isize]) -> Var {
        let x = self.value();
        record("ViewBackward0", x.reshape(dims), &[self], move |g| {
            vec![Some(g.reshape_to(x.dims().to_vec()))]
        })
    }

    /// Merges dims `start..=end` (`flatten`).
    pub fn flatten(&self, start: impl Dim, end: impl Dim) -> Var {
        let x = self.value();
        record("ViewBackward0", x.flatten(start, end), &[self], move |g| {
            vec![Some(g.reshape_to(x.dims().to_vec()))]
        })
    }

    /// Swaps two dims (`transpose`).
    pub fn transpose(&self, d0: impl Dim, d1: impl Dim) -> Var {
        let x = self.value();
        let (a, b) = (
            d0.resolve(x.dim(), "transpose"),
            d1.resolve(x.dim(), "transpose"),
        );
        record("TransposeBackward0", x.transpose(a, b), &[self], move |g| {
            vec![Some(g.transpose(a, b))]
        })
    }

    /// Transpose of a matrix (`t()`).
    pub fn t(&self) -> Var {
        if self.value().dim() < 2 {
            self.clone()
        } else {
            self.transpose(0usize, 1usize)
        }
    }

    /// Reorders dims (`permute`).
    pub fn permute(&self, dims: &[i64]) -> Var {
        let x = self.value();
        let y = x.permute(dims);
        let mut inverse = vec![0i64; dims.len()];
        for (i, &d) in dims.iter().enumerate() {
            inverse[d.resolve(x.dim(), "permute")] = i as i64;
        }
        record("PermuteBackward0", y, &[self], move |g| {
            vec![Some(g.permute(&inverse))]
        })
    }

    /// Inserts a size-1 dim (`unsqueeze`).
    pub fn unsqueeze(&self, dim: impl Dim) -> Var {
        let x = self.value();
        let d = dim.resolve(x.dim() + 1, "unsqueeze");
        record("UnsqueezeBackward0", x.unsqueeze(d), &[self], move |g| {
            vec![Some(g.squeeze_dim(d))]
        })
    }

    /// Removes `dim` if it has size 1 (`squeeze(dim)`).
    pub fn squeeze_dim(&self, dim: impl Dim) -> Var {
        let x = self.value();
        record("SqueezeBackward1", x.squeeze_dim(dim), &[self], move |g| {
            vec![Some(g.reshape_to(x.dims().to_vec()))]
        })
    }

    /// Broadcasts to `shape` (`expand` / `broadcast_to`); the gradient is summed back.
    pub fn broadcast_to(&self, shape: &[usize]) -> Var {
        let x = self.value();
        record(
            "ExpandBackward0",
            x.broadcast_to(shape.to_vec()),
            &[self],
            move |g| vec![Some(sum_to(g, &x))],
        )
    }

    /// Keeps `len` entries of `dim` from `start` (`narrow`).
    pub fn narrow(&self, dim: impl Dim, start: usize, len: usize) -> Var {
        let x = self.value();
        let d = dim.resolve(x.dim(), "narrow");
        record(
            "NarrowBackward0",
            x.narrow(d, start, len),
            &[self],
            move |g| vec![Some(pad_into(g, &x, d, start))],
        )
    }

    /// The slice at `index` of `dim`, removing the dim (`select`, `x[i]`).
    pub fn select(&self, dim: impl Dim, index: i64) -> Var {
        let x = self.value();
        let d = dim.resolve(x.dim(), "select");
        let size = x.dims()[d] as i64;
        let i = if index < 0 { index + size } else { index } as usize;
        record("SelectBackward0", x.select(d, index), &[self], move |g| {
            vec![Some(pad_into(&g.unsqueeze(d), &x, d, i))]
        })
    }

    /// Concatenates along `dim` (`torch.cat`).
    pub fn cat(vars: &[Var], dim: impl Dim) -> Var {
        let values: Vec<Tensor> = vars.iter().map(Var::value).collect();
        let out = Tensor::cat(&values, dim);
        let d = dim.resolve(out.dim(), "cat");
        let sizes: Vec<usize> = values.iter().map(|v| v.dims()[d]).collect();
        let dtypes: Vec<_> = values.iter().map(Tensor::dtype).collect();
        let inputs: Vec<&Var> = vars.iter().collect();
        record("CatBackward0", out, &inputs, move |g| {
            let mut start = 0;
            sizes
                .iter()
                .zip(&dtypes)
                .map(|(&n, &dt)| {
                    let part = g.narrow(d, start, n).to_dtype(dt);
                    start += n;
                    Some(part)
                })
                .collect()
        })
    }

    /// Stacks along a new `dim` (`torch.stack`).
    pub fn stack(vars: &[Var], dim: impl Dim) -> Var {
        let d = dim.resolve(vars.first().map_or(0, |v| v.value().dim()) + 1, "stack");
        let unsqueezed: Vec<Var> = vars.iter().map(|v| v.unsqueeze(d)).collect();
        Var::cat(&unsqueezed, d)
    }
}
