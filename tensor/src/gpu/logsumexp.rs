//! `logsumexp` on the GPU, composed of GPU ops: `m + log Σ exp(x - m)` with `m` the maximum
//! over `dims` (replaced by 0 where infinite, so all `-inf` gives `-inf` and any `+inf` gives
//! `+inf`, as on the CPU); NaN propagates and empty reductions give `-inf`.

use crate::dtype::DType;
use crate::gpu::on_gpu;
use crate::gpu::reduce::{mask_of, max_over, out_shape};
use crate::ops::binary::CompareOp;
use crate::tensor::Tensor;

/// `logsumexp(dims, keepdim)` of an f32 tensor (other dtypes are converted by the caller).
pub(crate) fn logsumexp(t: &Tensor, dims: &[i64], keepdim: bool) -> Option<Tensor> {
    const OP: &str = "logsumexp";
    if !on_gpu(OP, &[t]) {
        return None;
    }
    let mask = mask_of(t, dims, OP);
    let empty = t.dims().iter().zip(&mask).any(|(&n, &m)| m && n == 0);
    if empty {
        return Some(Tensor::full_with(
            out_shape(t, &mask, keepdim),
            f64::NEG_INFINITY,
            DType::F32,
            &t.device(),
        ));
    }
    let m = max_over(t, &mask, OP);
    let shift = m.masked_fill(&m.abs().compare_scalar(f64::INFINITY, CompareOp::Eq), 0.0);
    let sums = (t - &shift).exp().sum_dim(dims, keepdim);
    let shift = shift.reshape_to(sums.shape().clone());
    Some(&sums.log() + &shift)
}
