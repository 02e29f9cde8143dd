//! Differentiable ops on [`Var`](crate::Var), one family per file.

pub(crate) mod binary;
pub(crate) mod cast;
pub(crate) mod conv;
pub(crate) mod index;
pub(crate) mod matmul;
pub(crate) mod normalization;
pub(crate) mod operators;
pub(crate) mod pool;
pub(crate) mod reduce;
pub(crate) mod sparse;
pub(crate) mod unary;
pub(crate) mod views;

use kiln_tensor::Tensor;

/// Sums a broadcast gradient back to the shape of the input it flows to, in the input's dtype
/// (the reverse of broadcasting: leading dims and size-1 dims are summed away).
pub(crate) fn sum_to(grad: &Tensor, input: &Tensor) -> Tensor {
    let dims = input.dims();
    let g = if grad.dims() == dims {
        grad.clone()
    } else {
        let lead = grad.dim() - dims.len();
        let mut axes: Vec<i64> = (0..lead as i64).collect();
        for (i, &d) in dims.iter().enumerate() {
            if d == 1 && grad.dims()[lead + i] != 1 {
                axes.push((lead + i) as i64);
            }
        }
        let summed = if axes.is_empty() {
            grad.clone()
        } else {
            grad.sum_dim(&axes, true)
        };
        summed.reshape_to(dims.to_vec())
    };
    g.to_dtype(input.dtype())
}
