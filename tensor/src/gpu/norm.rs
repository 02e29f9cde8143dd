//! Vector p-norms on the GPU (`torch.linalg.vector_norm`), composed of GPU ops: `|x|`, a
//! power, and a sum, max or min over `dims`. Accumulation is f32 for f16/bf16 like the CPU.

use crate::dtype::DType;
use crate::gpu::on_gpu;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// The p-norm of the float tensor `t` over `dims` (empty = all), or `None` for a CPU tensor.
/// The caller has checked the dtype and that `p` is not NaN.
pub(crate) fn norm(t: &Tensor, p: f64, dims: &[i64], keepdim: bool) -> Option<Tensor> {
    if !on_gpu("norm", &[t]) {
        return None;
    }
    let dtype = t.dtype();
    if matches!(dtype, DType::F16 | DType::BF16) {
        return norm(&t.to_dtype(DType::F32), p, dims, keepdim).map(|n| n.to_dtype(dtype));
    }
    let a = t.abs();
    Some(if p == 2.0 {
        (&a * &a).sum_dim(dims, keepdim).sqrt()
    } else if p == 1.0 {
        a.sum_dim(dims, keepdim)
    } else if p == 0.0 {
        a.ne_scalar(0.0).to_dtype(dtype).sum_dim(dims, keepdim)
    } else if p.is_infinite() {
        extreme_over(&a, dims, keepdim, p > 0.0)
    } else {
        a.pow_scalar(p).sum_dim(dims, keepdim).pow_scalar(1.0 / p)
    })
}

/// The max (or min) over every dim in `dims` (empty = all), one dim at a time. Panics naming
/// the ∞-norm on an empty reduction, like the CPU.
fn extreme_over(a: &Tensor, dims: &[i64], keepdim: bool, max: bool) -> Tensor {
    let rank = a.dim();
    let mut axes: Vec<usize> = if dims.is_empty() {
        (0..rank).collect()
    } else {
        dims.iter().map(|&d| d.resolve(rank, "norm")).collect()
    };
    axes.sort_unstable();
    axes.dedup();
    let name = if max { "inf" } else { "-inf" };
    let reduced: usize = axes.iter().map(|&d| a.dims()[d]).product();
    let kept_shape: Vec<usize> = (0..rank)
        .filter(|d| !axes.contains(d))
        .map(|d| a.dims()[d])
        .collect();
    let keep_shape: Vec<usize> = (0..rank)
        .map(|d| if axes.contains(&d) { 1 } else { a.dims()[d] })
        .collect();
    let out_shape = if keepdim { keep_shape } else { kept_shape };
    if a.numel() == 0 {
        assert!(
            reduced > 0 || out_shape.iter().product::<usize>() == 0,
            "linalg.vector_norm cannot compute the {name} norm on an empty tensor because the operation does not have an identity"
        );
        return Tensor::zeros_with(out_shape, a.dtype(), &a.device());
    }
    let mut out = a.clone();
    for &d in axes.iter().rev() {
        out = if max {
            out.max_dim(d, true).0
        } else {
            out.min_dim(d, true).0
        };
    }
    out.reshape_to(out_shape)
}
