//! Layer normalisation over the trailing dims (`torch.nn.functional.layer_norm`).

use rayon::prelude::*;

use crate::cpu::buffer_pool;
use crate::cpu::simd::avx2_kernel;
use crate::cpu::strided::{PARALLEL_THRESHOLD, rows_per_task};
use crate::dtype::DType;
use crate::ops::real::Real;
use crate::ops::reduce::kernel::{SumOf, fold_slice};
use crate::tensor::Tensor;

/// Normalises one row into `y` and returns its `(mean, rstd)`: biased variance, two passes
/// (mean, then squared deviations) with pairwise sums.
#[inline(always)]
fn row_generic<T: Real>(x: &[T], y: &mut [T], w: Option<&[T]>, b: Option<&[T]>, eps: T) -> (T, T) {
    let n = T::c(x.len() as f64);
    let mean = fold_slice(&SumOf(|v: T| v), x) / n;
    let var = fold_slice(&SumOf(|v: T| (v - mean) * (v - mean)), x) / n;
    let rstd = T::one() / (var + eps).sqrt();
    match (w, b) {
        (Some(w), Some(b)) => {
            for (((d, &v), &wi), &bi) in y.iter_mut().zip(x).zip(w).zip(b) {
                *d = (v - mean) * rstd * wi + bi;
            }
        }
        (Some(w), None) => {
            for ((d, &v), &wi) in y.iter_mut().zip(x).zip(w) {
                *d = (v - mean) * rstd * wi;
            }
        }
        (None, Some(b)) => {
            for ((d, &v), &bi) in y.iter_mut().zip(x).zip(b) {
                *d = (v - mean) * rstd + bi;
            }
        }
        (None, None) => {
            for (d, &v) in y.iter_mut().zip(x) {
                *d = (v - mean) * rstd;
            }
        }
    }
    (mean, rstd)
}

avx2_kernel! {
    /// The f32 row kernel, AVX2+FMA where the CPU has it.
    fn row_f32(
        x: &[f32],
        y: &mut [f32],
        w: Option<&[f32]>,
        b: Option<&[f32]>,
        eps: f32,
    ) -> (f32, f32) = row_generic::<f32>;
}

/// The signature of a row kernel: `(x, y, weight, bias, eps) -> (mean, rstd)`.
type RowKernel<T> = fn(&[T], &mut [T], Option<&[T]>, Option<&[T]>, T) -> (T, T);

/// The row kernel of each element type, with the widest vector code the CPU runs.
trait NormRow: Real {
    const ROW: RowKernel<Self>;
}

impl NormRow for f32 {
    const ROW: RowKernel<f32> = row_f32;
}

impl NormRow for f64 {
    const ROW: RowKernel<f64> = row_generic::<f64>;
}

/// A parameter (weight or bias) as a contiguous vector in the compute type.
fn param<T: Real>(p: Option<&Tensor>) -> Option<Vec<T>> {
    p.map(|p| p.to_vec::<T>())
}

/// One row's input, output, mean and rstd slots, as the zipped iterators hand them out.
type RowItem<'a, T> = (((&'a [T], &'a mut [T]), &'a mut T), &'a mut T);

/// Layer norm in `T` over `rows` rows of `n`; returns `(y, mean, rstd)` as flat vectors.
fn run<T: NormRow>(
    x: &Tensor,
    rows: usize,
    n: usize,
    w: Option<&Tensor>,
    b: Option<&Tensor>,
    eps: f64,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let x = x.contiguous();
    let (src, layout) = x.typed::<T>("layer_norm");
    let x = &src[layout.contiguous_range().expect("contiguous")];
    let (w, b) = (param::<T>(w), param::<T>(b));
    let (w, b, eps) = (w.as_deref(), b.as_deref(), T::c(eps));
    let mut y = buffer_pool::scratch(x.len(), T::zero());
    let mut mean = vec![T::nan(); rows];
    let mut rstd = vec![T::nan(); rows];
    if n > 0 {
        let each = |(((xr, yr), m), r): RowItem<'_, T>| {
            (*m, *r) = T::ROW(xr, yr, w, b, eps);
        };
        if x.len() >= PARALLEL_THRESHOLD {
            let per_task = rows_per_task(rows, n);
            x.par_chunks(n)
                .zip(y.par_chunks_mut(n))
                .zip(mean.par_iter_mut())
                .zip(rstd.par_iter_mut())
                .with_min_len(per_task)
                .for_each(each);
        } else {
            x.chunks(n)
                .zip(y.chunks_mut(n))
                .zip(mean.iter_mut())
                .zip(rstd.iter_mut())
                .for_each(each);
        }
    }
    (y, mean, rstd)
}

/// Checks shapes and computes `(out, mean, rstd)`.
fn layer_norm_impl(
    x: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> (Tensor, Tensor, Tensor) {
    let dims = x.dims();
    let k = normalized_shape.len();
    assert!(
        k <= dims.len() && &dims[dims.len() - k..] == normalized_shape,
        "layer_norm: Given normalized_shape={normalized_shape:?}, expected input with shape [*, {}], but got input of size {}",
        normalized_shape
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(", "),
        x.shape()
    );
    for (name, p) in [("weight", weight), ("bias", bias)] {
        if let Some(p) = p {
            assert!(
                p.dims() == normalized_shape,
                "layer_norm: Expected {name} to be of same shape as normalized_shape, but got {name} of shape {} and normalized_shape = {normalized_shape:?}",
                p.shape()
            );
        }
    }
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::layer_norm(x, normalized_shape, weight, bias, eps) {
        return out;
    }
    let dtype = x.dtype();
    let n: usize = normalized_shape.iter().product();
    let rows: usize = dims[..dims.len() - k].iter().product();
    let mut stat_dims = dims[..dims.len() - k].to_vec();
    stat_dims.extend(std::iter::repeat_n(1, k));
    fn wrap<T: Real>(
        dims: &[usize],
        stat_dims: &[usize],
        (y, m, r): (Vec<T>, Vec<T>, Vec<T>),
    ) -> (Tensor, Tensor, Tensor) {
        (
            Tensor::from_vec(y, dims),
            Tensor::from_vec(m, stat_dims),
            Tensor::from_vec(r, stat_dims),
        )
    }
    match dtype {
        DType::F32 => wrap(dims, &stat_dims, run::<f32>(x, rows, n, weight, bias, eps)),
        DType::F64 => wrap(dims, &stat_dims, run::<f64>(x, rows, n, weight, bias, eps)),
        DType::F16 | DType::BF16 => {
            let (y, m, r) =
                layer_norm_impl(&x.to_dtype(DType::F32), normalized_shape, weight, bias, eps);
            (y.to_dtype(dtype), m.to_dtype(dtype), r.to_dtype(dtype))
        }
        other => panic!(
            "layer_norm: not implemented for {other} tensors (expects a floating-point dtype)"
        ),
    }
}

impl Tensor {
    /// Layer normalisation over the last `normalized_shape.len()` dims
    /// (`torch.nn.functional.layer_norm(x, normalized_shape, weight, bias, eps)`):
    /// `(x - mean) / sqrt(var + eps) * weight + bias` with the biased variance. `weight` and
    /// `bias` have shape `normalized_shape`. f16/bf16 compute in f32 and keep their dtype.
    pub fn layer_norm(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> Tensor {
        layer_norm_impl(self, normalized_shape, weight, bias, eps).0
    }

    /// [`Tensor::layer_norm`] that also returns the per-row `mean` and `rstd = 1/sqrt(var + eps)`
    /// (`torch.native_layer_norm`), for the backward pass. The statistics have the input's
    /// leading dims followed by `normalized_shape.len()` ones, in the input's dtype.
    pub fn layer_norm_with_stats(
        &self,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
        bias: Option<&Tensor>,
        eps: f64,
    ) -> (Tensor, Tensor, Tensor) {
        layer_norm_impl(self, normalized_shape, weight, bias, eps)
    }
}
