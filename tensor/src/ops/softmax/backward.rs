//! Gradients of `softmax` / `log_softmax` in one fused pass per row (PyTorch's
//! `_softmax_backward_data` / `_log_softmax_backward_data`), so autograd does not chain four
//! full-size temporaries.

use rayon::prelude::*;

use super::SoftmaxFloat;
use crate::cpu::buffer_pool;
use crate::cpu::simd::avx2_kernel;
use crate::cpu::strided::{PARALLEL_THRESHOLD, rows_per_task};
use crate::dtype::DType;
use crate::ops::reduce::kernel::{SumOf, fold_slice};
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Rows up to this length sum `y·g` with plain lane accumulators ([`short_dot`]); longer ones
/// fold pairwise, so the error grows with `log n` (one pairwise leaf is this long).
const SHORT_ROW: usize = 1024;

/// One contiguous row: softmax `dx = y·(g − Σ g·y)`, log-softmax `dx = g − e^y·Σ g`. The sums
/// vectorise: [`short_dot`] for short rows, else the lane-parallel [`fold_slice`] (the products
/// `g·y` staged in `dx`).
#[inline(always)]
fn row<T: SoftmaxFloat, const FMA: bool>(y: &[T], g: &[T], dx: &mut [T], log: bool) {
    if log {
        let total = fold_slice(&SumOf(|v: T| v), g);
        for ((d, &yi), &gi) in dx.iter_mut().zip(y).zip(g) {
            *d = gi - yi.fast_exp::<FMA>() * total;
        }
    } else {
        let dot = if y.len() <= SHORT_ROW {
            short_dot::<T, FMA>(y, g)
        } else {
            // Long rows keep the pairwise sum's accuracy: the products are staged in `dx`.
            for ((d, &yi), &gi) in dx.iter_mut().zip(y).zip(g) {
                *d = yi * gi;
            }
            fold_slice(&SumOf(|v: T| v), dx)
        };
        for ((d, &yi), &gi) in dx.iter_mut().zip(y).zip(g) {
            *d = yi * (gi - dot);
        }
    }
}

/// `Σ y·g` over a row of at most [`SHORT_ROW`] values, with sixteen lane accumulators merged
/// in vector registers: attention's rows of 64 keys each cost a handful of instructions,
/// where staging the products and folding them pairwise cost a call and a store-reload.
#[inline(always)]
fn short_dot<T: SoftmaxFloat, const FMA: bool>(y: &[T], g: &[T]) -> T {
    const L: usize = 16;
    let mut acc = [T::zero(); L];
    let (cy, cg) = (y.chunks_exact(L), g.chunks_exact(L));
    let (ry, rg) = (cy.remainder(), cg.remainder());
    for (a, b) in cy.zip(cg) {
        for l in 0..L {
            acc[l] = acc[l] + a[l] * b[l];
        }
    }
    let mut total = T::sum16::<FMA>(acc);
    for (&a, &b) in ry.iter().zip(rg) {
        total = total + a * b;
    }
    total
}

/// Every `len`-element row, in one call per task (short rows would each pay a dispatch).
#[inline(always)]
fn rows<T: SoftmaxFloat, const FMA: bool>(y: &[T], g: &[T], dx: &mut [T], len: usize, log: bool) {
    for ((yr, gr), dr) in y
        .chunks_exact(len)
        .zip(g.chunks_exact(len))
        .zip(dx.chunks_exact_mut(len))
    {
        row::<T, FMA>(yr, gr, dr, log);
    }
}

avx2_kernel! {
    /// The f32 rows kernel, AVX2+FMA where the CPU has it.
    fn rows_f32(y: &[f32], g: &[f32], dx: &mut [f32], len: usize, log: bool) = fused rows<f32>;
}

/// Rows with the widest vector code the CPU runs.
trait BackwardRows: SoftmaxFloat {
    fn backward_rows(y: &[Self], g: &[Self], dx: &mut [Self], len: usize, log: bool);
}

impl BackwardRows for f32 {
    fn backward_rows(y: &[f32], g: &[f32], dx: &mut [f32], len: usize, log: bool) {
        rows_f32(y, g, dx, len, log);
    }
}

impl BackwardRows for f64 {
    fn backward_rows(y: &[f64], g: &[f64], dx: &mut [f64], len: usize, log: bool) {
        rows::<f64, false>(y, g, dx, len, log);
    }
}

/// The same along the middle dim of a `[len, inner]` block, vectorised along `inner`.
fn block<T: SoftmaxFloat>(y: &[T], g: &[T], dx: &mut [T], inner: usize, log: bool) {
    let mut acc = vec![T::zero(); inner];
    for (yr, gr) in y.chunks_exact(inner).zip(g.chunks_exact(inner)) {
        for ((a, &yi), &gi) in acc.iter_mut().zip(yr).zip(gr) {
            *a = *a + if log { gi } else { yi * gi };
        }
    }
    for ((yr, gr), dr) in y
        .chunks_exact(inner)
        .zip(g.chunks_exact(inner))
        .zip(dx.chunks_exact_mut(inner))
    {
        for (((d, &yi), &gi), &a) in dr.iter_mut().zip(yr).zip(gr).zip(&acc) {
            *d = if log {
                gi - yi.fast_exp::<false>() * a
            } else {
                yi * (gi - a)
            };
        }
    }
}

fn backward_real<T: BackwardRows>(y: &Tensor, g: &Tensor, dim: usize, log: bool) -> Tensor {
    let (y, g) = (y.contiguous(), g.to_dtype(y.dtype()).contiguous());
    let dims = y.dims();
    let len = dims[dim];
    let inner: usize = dims[dim + 1..].iter().product();
    let (ys, yl) = y.typed::<T>("softmax_backward");
    let (gs, gl) = g.typed::<T>("softmax_backward");
    let ys = &ys[yl.contiguous_range().expect("contiguous")];
    let gs = &gs[gl.contiguous_range().expect("contiguous")];
    let mut dx = buffer_pool::scratch(ys.len(), T::zero());
    let parallel = ys.len() >= PARALLEL_THRESHOLD;
    if len > 0 && inner == 1 {
        if parallel {
            let chunk = rows_per_task(ys.len() / len, len) * len;
            ys.par_chunks(chunk)
                .zip(gs.par_chunks(chunk))
                .zip(dx.par_chunks_mut(chunk))
                .for_each(|((yc, gc), dc)| T::backward_rows(yc, gc, dc, len, log));
        } else {
            T::backward_rows(ys, gs, &mut dx, len, log);
        }
    } else if len > 0 && inner > 0 {
        let width = len * inner;
        let run = |((yb, gb), db): ((&[T], &[T]), &mut [T])| block(yb, gb, db, inner, log);
        if parallel {
            let per_task = rows_per_task(ys.len() / width, width);
            ys.par_chunks(width)
                .zip(gs.par_chunks(width))
                .zip(dx.par_chunks_mut(width))
                .with_min_len(per_task)
                .for_each(run);
        } else {
            ys.chunks(width)
                .zip(gs.chunks(width))
                .zip(dx.chunks_mut(width))
                .for_each(run);
        }
    }
    Tensor::from_vec(dx, y.shape().clone())
}

fn backward_impl(y: &Tensor, grad: &Tensor, dim: impl Dim, log: bool) -> Tensor {
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::softmax_backward(y, grad, dim, log) {
        return out;
    }
    let op = if log {
        "log_softmax_backward"
    } else {
        "softmax_backward"
    };
    assert_eq!(
        y.dims(),
        grad.dims(),
        "{op}: output {} and gradient {} differ in shape",
        y.shape(),
        grad.shape()
    );
    if y.dim() == 0 {
        return backward_impl(&y.reshape(&[1]), &grad.reshape(&[1]), 0usize, log).reshape(&[]);
    }
    let d = dim.resolve(y.dim(), op);
    match y.dtype() {
        DType::F32 => backward_real::<f32>(y, grad, d, log),
        DType::F64 => backward_real::<f64>(y, grad, d, log),
        d16 @ (DType::F16 | DType::BF16) => {
            let f = |t: &Tensor| t.to_dtype(DType::F32);
            backward_impl(&f(y), &f(grad), d, log).to_dtype(d16)
        }
        other => panic!("{op}: not implemented for {other} tensors"),
    }
}

impl Tensor {
    /// Gradient of `softmax` along `dim` given its output `self` and the output gradient
    /// `grad`: `y·(g − Σ g·y)` (`torch._softmax_backward_data`).
    pub fn softmax_backward(&self, grad: &Tensor, dim: impl Dim) -> Tensor {
        backward_impl(self, grad, dim, false)
    }

    /// Gradient of `log_softmax` along `dim` given its output `self` and the output gradient
    /// `grad`: `g − e^y·Σ g` (`torch._log_softmax_backward_data`).
    pub fn log_softmax_backward(&self, grad: &Tensor, dim: impl Dim) -> Tensor {
        backward_impl(self, grad, dim, true)
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    /// The fused kernels agree with the unfused formulas on every dim, f32 and f64.
    #[test]
    fn fused_backward_matches_the_composed_formula() {
        for dtype in [crate::DType::F32, crate::DType::F64] {
            let x = Tensor::randn([3, 4, 5]).to_dtype(dtype);
            let g = Tensor::randn([3, 4, 5]).to_dtype(dtype);
            for dim in 0..3i64 {
                let y = x.softmax(dim);
                let expected = &y * &(&g - &(&g * &y).sum_dim(&[dim], true));
                let got = y.softmax_backward(&g, dim);
                let ly = x.log_softmax(dim);
                let lexpected = &g - &(&ly.exp() * &g.sum_dim(&[dim], true));
                let lgot = ly.log_softmax_backward(&g, dim);
                for (a, b) in got
                    .to_vec::<f64>()
                    .iter()
                    .zip(expected.to_vec::<f64>())
                    .chain(lgot.to_vec::<f64>().iter().zip(lexpected.to_vec::<f64>()))
                {
                    assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} vs {b}");
                }
            }
        }
    }
}
