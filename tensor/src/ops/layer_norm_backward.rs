//! Gradient of layer normalisation in one fused pass (PyTorch's `native_layer_norm_backward`):
//! the input gradient row by row, the weight and bias gradients accumulated per thread.

use rayon::prelude::*;

use crate::cpu::buffer_pool;
use crate::cpu::simd::avx2_kernel;
use crate::cpu::strided::PARALLEL_THRESHOLD;
use crate::dtype::DType;
use crate::ops::real::Real;
use crate::ops::reduce::kernel::merge_lanes;
use crate::tensor::Tensor;

/// Per-task partial sums of the weight and bias gradients.
type Partial<T> = (Vec<T>, Vec<T>);

/// Independent accumulators per row sum (two AVX2 registers of f32 for each of the two sums),
/// so the loops vectorise (floating-point addition is not reassociated by the compiler) and
/// hide the adds' latency.
const LANES: usize = 16;

/// `(Σ a, Σ a·b)` over two equally long rows, with [`LANES`] accumulators each.
#[inline(always)]
fn sum_and_dot<T: Real>(a: &[T], b: &[T]) -> (T, T) {
    let mut sum = [T::zero(); LANES];
    let mut dot = [T::zero(); LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (xa, xb) in ca.zip(cb) {
        for l in 0..LANES {
            sum[l] = sum[l] + xa[l];
            dot[l] = dot[l] + xa[l] * xb[l];
        }
    }
    let add = |p: T, q: T| p + q;
    let mut s = merge_lanes(sum, add);
    let mut d = merge_lanes(dot, add);
    for (&va, &vb) in ra.iter().zip(rb) {
        s = s + va;
        d = d + va * vb;
    }
    (s, d)
}

/// One block of rows: writes `dx` and returns this block's `(Σ g·x̂, Σ g)` per column.
#[inline(always)]
fn block_generic<T: Real>(
    x: &[T],
    g: &[T],
    dx: &mut [T],
    mean: &[T],
    rstd: &[T],
    w: Option<&[T]>,
    n: usize,
) -> Partial<T> {
    let mut dw = vec![T::zero(); n];
    let mut db = vec![T::zero(); n];
    let inv_n = T::one() / T::c(n as f64);
    let mut xhat = vec![T::zero(); n];
    let mut dxhat = vec![T::zero(); n];
    for ((((xr, gr), dr), &m), &r) in x
        .chunks_exact(n)
        .zip(g.chunks_exact(n))
        .zip(dx.chunks_exact_mut(n))
        .zip(mean)
        .zip(rstd)
    {
        for (xh, &xi) in xhat.iter_mut().zip(xr) {
            *xh = (xi - m) * r;
        }
        match w {
            Some(w) => {
                for ((d, &gi), &wi) in dxhat.iter_mut().zip(gr).zip(w) {
                    *d = gi * wi;
                }
            }
            None => dxhat.copy_from_slice(gr),
        }
        for (((dwi, dbi), &gi), &xh) in dw.iter_mut().zip(db.iter_mut()).zip(gr).zip(&xhat) {
            *dwi = *dwi + gi * xh;
            *dbi = *dbi + gi;
        }
        let (sum_d, sum_dx) = sum_and_dot(&dxhat, &xhat);
        let (mean_d, mean_dx) = (sum_d * inv_n, sum_dx * inv_n);
        for ((d, &dh), &xh) in dr.iter_mut().zip(&dxhat).zip(&xhat) {
            *d = r * (dh - mean_d - xh * mean_dx);
        }
    }
    (dw, db)
}

avx2_kernel! {
    /// The f32 block kernel, AVX2+FMA where the CPU has it.
    fn block_f32(
        x: &[f32],
        g: &[f32],
        dx: &mut [f32],
        mean: &[f32],
        rstd: &[f32],
        w: Option<&[f32]>,
        n: usize,
    ) -> Partial<f32> = block_generic::<f32>;
}

/// The signature of a block kernel: `(x, g, dx, mean, rstd, weight, n)`.
type BlockKernel<T> = fn(&[T], &[T], &mut [T], &[T], &[T], Option<&[T]>, usize) -> Partial<T>;

/// The block kernel of each element type, with the widest vector code the CPU runs.
trait BackwardBlock: Real {
    const BLOCK: BlockKernel<Self>;
}

impl BackwardBlock for f32 {
    const BLOCK: BlockKernel<f32> = block_f32;
}

impl BackwardBlock for f64 {
    const BLOCK: BlockKernel<f64> = block_generic::<f64>;
}

/// The elements of a contiguous tensor of element type `T`, without copying.
fn contiguous_slice<T: Real>(t: &Tensor) -> &[T] {
    let (src, layout) = t.typed::<T>("layer_norm_backward");
    &src[layout.contiguous_range().expect("contiguous")]
}

fn add_partials<T: Real>(mut a: Partial<T>, b: Partial<T>) -> Partial<T> {
    for (x, y) in a.0.iter_mut().zip(&b.0) {
        *x = *x + *y;
    }
    for (x, y) in a.1.iter_mut().zip(&b.1) {
        *x = *x + *y;
    }
    a
}

/// The fused backward in `T`; returns `(dx, dweight, dbias)` as flat vectors.
fn run<T: BackwardBlock>(
    x: &Tensor,
    g: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    weight: Option<&Tensor>,
    n: usize,
) -> (Vec<T>, Vec<T>, Vec<T>) {
    let prepare = |t: &Tensor| t.to_dtype(T::DTYPE).contiguous();
    let (x, g, mean, rstd) = (prepare(x), prepare(g), prepare(mean), prepare(rstd));
    let w = weight.map(|w| w.to_vec::<T>());
    let (x, g, mean, rstd) = (
        contiguous_slice::<T>(&x),
        contiguous_slice::<T>(&g),
        contiguous_slice::<T>(&mean),
        contiguous_slice::<T>(&rstd),
    );
    let mut dx = buffer_pool::scratch(x.len(), T::zero());
    if n == 0 || x.is_empty() {
        return (dx, vec![T::zero(); n], vec![T::zero(); n]);
    }
    let rows = x.len() / n;
    let parallel = x.len() >= PARALLEL_THRESHOLD;
    let tasks = if parallel {
        rayon::current_num_threads() * 4
    } else {
        1
    };
    let rows_per_task = rows.div_ceil(tasks).max(1);
    let width = rows_per_task * n;
    let w = w.as_deref();
    let (dw, db) = if parallel {
        x.par_chunks(width)
            .zip(g.par_chunks(width))
            .zip(dx.par_chunks_mut(width))
            .zip(mean.par_chunks(rows_per_task))
            .zip(rstd.par_chunks(rows_per_task))
            .map(|((((xb, gb), db), mb), rb)| T::BLOCK(xb, gb, db, mb, rb, w, n))
            .reduce(|| (vec![T::zero(); n], vec![T::zero(); n]), add_partials)
    } else {
        T::BLOCK(x, g, &mut dx, mean, rstd, w, n)
    };
    (dx, dw, db)
}

/// `(dx, dw, db)` vectors as tensors of the input's and `normalized_shape`'s shapes.
fn as_tensors<T: Real>(
    (dx, dw, db): (Vec<T>, Vec<T>, Vec<T>),
    dims: &[usize],
    normalized_shape: &[usize],
) -> (Tensor, Tensor, Tensor) {
    (
        Tensor::from_vec(dx, dims),
        Tensor::from_vec(dw, normalized_shape),
        Tensor::from_vec(db, normalized_shape),
    )
}

impl Tensor {
    /// Gradients of [`Tensor::layer_norm`] from its input `self`, the output gradient `grad` and
    /// the `mean` / `rstd` that [`Tensor::layer_norm_with_stats`] returned
    /// (`torch.native_layer_norm_backward`): `(d_input, d_weight, d_bias)`, where
    /// `d_weight = Σ grad·x̂` and `d_bias = Σ grad` over the leading dims (shape
    /// `normalized_shape`; computed whether or not the layer has those parameters). f16/bf16
    /// compute in f32; `d_input` keeps the input's dtype, the others are f32 then.
    pub fn layer_norm_backward(
        &self,
        grad: &Tensor,
        mean: &Tensor,
        rstd: &Tensor,
        normalized_shape: &[usize],
        weight: Option<&Tensor>,
    ) -> (Tensor, Tensor, Tensor) {
        #[cfg(feature = "gpu")]
        if let Some(out) =
            crate::gpu::layer_norm_backward(self, grad, mean, rstd, normalized_shape, weight)
        {
            return out;
        }
        assert_eq!(
            self.dims(),
            grad.dims(),
            "layer_norm_backward: input {} and gradient {} differ in shape",
            self.shape(),
            grad.shape()
        );
        let n: usize = normalized_shape.iter().product();
        let dims = self.dims();
        match self.dtype() {
            DType::F64 => as_tensors(
                run::<f64>(self, grad, mean, rstd, weight, n),
                dims,
                normalized_shape,
            ),
            DType::F32 | DType::F16 | DType::BF16 => {
                let (dx, dw, db) = as_tensors(
                    run::<f32>(self, grad, mean, rstd, weight, n),
                    dims,
                    normalized_shape,
                );
                (dx.to_dtype(self.dtype()), dw, db)
            }
            other => panic!("layer_norm_backward: not implemented for {other} tensors"),
        }
    }
}
