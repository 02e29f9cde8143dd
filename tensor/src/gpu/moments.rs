//! `var` / `std` on the GPU, composed of GPU ops in two passes like the CPU: the mean over
//! `dims`, then the sum of squared deviations from it, divided by `max(n - correction, 0)`.
//! Accumulation is f32 (the CPU uses f64).

use crate::gpu::on_gpu;
use crate::tensor::Tensor;

/// The variance of the f32 / f64 tensor `t` over `dims` (empty = all) with Bessel's
/// `correction` (0 or 1), or its square root when `sqrt`. NaN where the divisor is 0.
pub(crate) fn variance(
    t: &Tensor,
    dims: &[i64],
    correction: f64,
    keepdim: bool,
    sqrt: bool,
) -> Option<Tensor> {
    if !on_gpu(if sqrt { "std" } else { "var" }, &[t]) {
        return None;
    }
    let mean = t.mean_dim(dims, true);
    // Reduced dims are 1 in `mean`; their sizes multiply to the count per output.
    let n: usize = t
        .dims()
        .iter()
        .zip(mean.dims())
        .map(|(&a, &m)| if m == 1 { a } else { 1 })
        .product();
    let deviation = t - &mean;
    let squares = (&deviation * &deviation).sum_dim(dims, keepdim);
    let var = squares.div_scalar((n as f64 - correction).max(0.0));
    Some(if sqrt { var.sqrt() } else { var })
}
