//! `softmax` and `log_softmax` along one dim, numerically stable (the row maximum is
//! subtracted before exponentiating).
//!
//! The last dim of a contiguous tensor is the fast path: rows in parallel, each row a max
//! pass, an `exp` pass (vectorised; with AVX2+FMA when the CPU has them) and a scale pass.
//! Other dims run on `[outer, len, inner]` blocks, vectorised along `inner`.

mod backward;
pub(crate) mod exp;

use rayon::prelude::*;

pub(crate) use exp::exp_f32;

use crate::cpu::buffer_pool;
use crate::cpu::simd::avx2_kernel;
use crate::cpu::strided::{PARALLEL_THRESHOLD, rows_per_task};
use crate::dtype::DType;
use crate::ops::real::Real;
use crate::ops::reduce::kernel::{FnFold, SumOf, fold_slice};
use crate::shape::Dim;
use crate::tensor::Tensor;

/// A float type with the `exp` the softmax kernels use; `FMA` as in
/// [`crate::cpu::simd::mul_add`].
pub(crate) trait SoftmaxFloat: Real {
    /// `e^self`, vectorisable.
    fn fast_exp<const FMA: bool>(self) -> Self;
}

impl SoftmaxFloat for f32 {
    #[inline(always)]
    fn fast_exp<const FMA: bool>(self) -> f32 {
        exp_f32::<FMA>(self)
    }
}

impl SoftmaxFloat for f64 {
    #[inline(always)]
    fn fast_exp<const FMA: bool>(self) -> f64 {
        self.exp()
    }
}

/// Softmax (or log-softmax) of one contiguous row into `y`.
#[inline(always)]
fn row_generic<T: SoftmaxFloat, const FMA: bool>(x: &[T], y: &mut [T], log: bool) {
    let max = FnFold {
        identity: T::neg_infinity(),
        load: |v: T| v,
        combine: |a: T, b: T| if b > a { b } else { a },
    };
    let m = fold_slice(&max, x);
    for (d, &v) in y.iter_mut().zip(x) {
        *d = (v - m).fast_exp::<FMA>();
    }
    let s = fold_slice(&SumOf(|v: T| v), y);
    if log {
        // (x - m) - ln s, not x - (m + ln s): the latter loses digits when |m| is large.
        let ls = s.ln();
        for (d, &v) in y.iter_mut().zip(x) {
            *d = (v - m) - ls;
        }
    } else {
        let inv = T::one() / s;
        for d in y.iter_mut() {
            *d = *d * inv;
        }
    }
}

/// Every `len`-element row of `x` into `y`: one call per task rather than per row, so short
/// rows (attention's 64 keys) do not pay a dispatch each.
#[inline(always)]
fn rows_generic<T: SoftmaxFloat, const FMA: bool>(x: &[T], y: &mut [T], len: usize, log: bool) {
    for (xr, yr) in x.chunks_exact(len).zip(y.chunks_exact_mut(len)) {
        row_generic::<T, FMA>(xr, yr, log);
    }
}

avx2_kernel! {
    /// The f32 rows kernel, AVX2+FMA where the CPU has it.
    fn rows_f32(x: &[f32], y: &mut [f32], len: usize, log: bool) = fused rows_generic<f32>;
}

/// Rows, with the widest vector code the CPU runs.
pub(crate) trait SoftmaxRow: SoftmaxFloat {
    /// Softmax (or, with `log`, log-softmax) of each contiguous `len`-element row of `x` into
    /// the same row of `y`; `len` divides `x.len()`.
    fn rows(x: &[Self], y: &mut [Self], len: usize, log: bool);
}

impl SoftmaxRow for f32 {
    fn rows(x: &[f32], y: &mut [f32], len: usize, log: bool) {
        rows_f32(x, y, len, log);
    }
}

impl SoftmaxRow for f64 {
    fn rows(x: &[f64], y: &mut [f64], len: usize, log: bool) {
        rows_generic::<f64, false>(x, y, len, log);
    }
}

/// Softmax along the middle dim of one `[len, inner]` block, vectorised along `inner`.
fn block<T: SoftmaxFloat>(x: &[T], y: &mut [T], inner: usize, log: bool) {
    let mut m = vec![T::neg_infinity(); inner];
    for row in x.chunks_exact(inner) {
        for (a, &v) in m.iter_mut().zip(row) {
            *a = if v > *a { v } else { *a };
        }
    }
    let mut s = vec![T::zero(); inner];
    for (row, out) in x.chunks_exact(inner).zip(y.chunks_exact_mut(inner)) {
        for (((d, &v), &mx), acc) in out.iter_mut().zip(row).zip(&m).zip(s.iter_mut()) {
            *d = (v - mx).fast_exp::<false>();
            *acc = *acc + *d;
        }
    }
    if log {
        let ls: Vec<T> = s.iter().map(|&sm| sm.ln()).collect();
        for (row, out) in x.chunks_exact(inner).zip(y.chunks_exact_mut(inner)) {
            for (((d, &v), &mx), &l) in out.iter_mut().zip(row).zip(&m).zip(&ls) {
                *d = (v - mx) - l;
            }
        }
    } else {
        let inv: Vec<T> = s.iter().map(|&sm| T::one() / sm).collect();
        for out in y.chunks_exact_mut(inner) {
            for (d, &k) in out.iter_mut().zip(&inv) {
                *d = *d * k;
            }
        }
    }
}

/// Softmax of a float tensor (f32/f64) along `dim`.
fn softmax_real<T: SoftmaxRow>(t: &Tensor, dim: usize, log: bool, op: &str) -> Tensor {
    let t = t.contiguous();
    let dims = t.dims();
    let len = dims[dim];
    let inner: usize = dims[dim + 1..].iter().product();
    let (src, layout) = t.typed::<T>(op);
    let x = &src[layout.contiguous_range().expect("contiguous")];
    let mut y = buffer_pool::scratch(x.len(), T::zero());
    let parallel = x.len() >= PARALLEL_THRESHOLD;
    if len > 0 && inner > 0 {
        if inner == 1 {
            if parallel {
                let chunk = rows_per_task(x.len() / len, len) * len;
                x.par_chunks(chunk)
                    .zip(y.par_chunks_mut(chunk))
                    .for_each(|(xc, yc)| T::rows(xc, yc, len, log));
            } else {
                T::rows(x, &mut y, len, log);
            }
        } else {
            let b = len * inner;
            let run = |(xb, yb): (&[T], &mut [T])| block(xb, yb, inner, log);
            if parallel {
                x.par_chunks(b).zip(y.par_chunks_mut(b)).for_each(run);
            } else {
                x.chunks(b).zip(y.chunks_mut(b)).for_each(run);
            }
        }
    }
    Tensor::from_vec(y, t.shape().clone())
}

fn softmax_impl(t: &Tensor, dim: impl Dim, log: bool) -> Tensor {
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::softmax(t, dim, log) {
        return out;
    }
    let op = if log { "log_softmax" } else { "softmax" };
    let d = dim.resolve(t.dim(), op);
    if t.dim() == 0 {
        return softmax_impl(&t.reshape(&[1]), 0usize, log).reshape(&[]);
    }
    match t.dtype() {
        DType::F32 => softmax_real::<f32>(t, d, log, op),
        DType::F64 => softmax_real::<f64>(t, d, log, op),
        d16 @ (DType::F16 | DType::BF16) => {
            softmax_impl(&t.to_dtype(DType::F32), d, log).to_dtype(d16)
        }
        other => {
            panic!("{op}: not implemented for {other} tensors (expects a floating-point dtype)")
        }
    }
}

impl Tensor {
    /// `exp(x) / Σ exp(x)` along `dim` (`torch.softmax(x, dim)`, `F.softmax`); stable for large
    /// inputs. Float tensors only; f16/bf16 compute in f32 and keep their dtype.
    pub fn softmax(&self, dim: impl Dim) -> Tensor {
        softmax_impl(self, dim, false)
    }

    /// `x - log Σ exp(x)` along `dim` (`torch.log_softmax(x, dim)`, `F.log_softmax`), without
    /// the rounding loss of `softmax(x).log()`.
    pub fn log_softmax(&self, dim: impl Dim) -> Tensor {
        softmax_impl(self, dim, true)
    }
}
