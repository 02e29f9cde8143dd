//! `cumsum`: running sums along one dim.

use half::{bf16, f16};
use rayon::prelude::*;

use crate::cpu::strided::PARALLEL_THRESHOLD;
use crate::dtype::{DType, Element};
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Running sums of `x` viewed as `[outer, len, inner]` along the middle dim: the accumulator
/// starts at `zero`, each value is widened by `load`, and `store` narrows the running total.
fn scan<T, A, U>(
    x: &[T],
    len: usize,
    inner: usize,
    zero: A,
    load: impl Fn(T) -> A + Sync,
    add: impl Fn(A, A) -> A + Sync,
    store: impl Fn(A) -> U + Sync,
) -> Vec<U>
where
    T: Element,
    A: Copy + Send + Sync,
    U: Element,
{
    let mut out = vec![U::default(); x.len()];
    let block = len * inner;
    if block == 0 {
        return out;
    }
    let run = |(o, dst): (usize, &mut [U])| {
        let src = &x[o * block..][..block];
        let mut acc = vec![zero; inner];
        for (s, d) in src.chunks_exact(inner).zip(dst.chunks_exact_mut(inner)) {
            for ((a, &v), y) in acc.iter_mut().zip(s).zip(d) {
                *a = add(*a, load(v));
                *y = store(*a);
            }
        }
    };
    if x.len() >= PARALLEL_THRESHOLD {
        out.par_chunks_mut(block).enumerate().for_each(run);
    } else {
        out.chunks_mut(block).enumerate().for_each(run);
    }
    out
}

impl Tensor {
    /// Cumulative sum along `dim` (`torch.cumsum(x, dim)`): element `i` is the sum of elements
    /// `0..=i`. Floats keep their dtype and accumulate in f64 (PyTorch's CPU accumulation type);
    /// integer and bool tensors give int64. On a GPU floats accumulate in compensated f32 and
    /// integers in 32 bits.
    pub fn cumsum(&self, dim: impl Dim) -> Tensor {
        let d = dim.resolve(self.dim(), "cumsum");
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::cumsum(self, d) {
            return out;
        }
        let t = self.contiguous();
        let dims = t.dims();
        let (len, inner) = if dims.is_empty() {
            (1, 1)
        } else {
            (dims[d], dims[d + 1..].iter().product())
        };
        let (src_range, shape) = (
            t.layout().contiguous_range().expect("contiguous"),
            t.shape().clone(),
        );
        let f64add = |a: f64, b: f64| a + b;
        match t.dtype() {
            DType::F32 => {
                let x = &t.typed::<f32>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(x, len, inner, 0.0, f64::from, f64add, |a| a as f32),
                    shape,
                )
            }
            DType::F64 => {
                let x = &t.typed::<f64>("cumsum").0[src_range];
                Tensor::from_vec(scan(x, len, inner, 0.0, |v: f64| v, f64add, |a| a), shape)
            }
            DType::F16 => {
                let x = &t.typed::<f16>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(
                        x,
                        len,
                        inner,
                        0.0,
                        |v: f16| v.to_f64(),
                        f64add,
                        f16::from_f64,
                    ),
                    shape,
                )
            }
            DType::BF16 => {
                let x = &t.typed::<bf16>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(
                        x,
                        len,
                        inner,
                        0.0,
                        |v: bf16| v.to_f64(),
                        f64add,
                        bf16::from_f64,
                    ),
                    shape,
                )
            }
            DType::I64 => {
                let x = &t.typed::<i64>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(x, len, inner, 0i64, |v: i64| v, i64::wrapping_add, |a| a),
                    shape,
                )
            }
            DType::U8 => {
                let x = &t.typed::<u8>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(x, len, inner, 0i64, i64::from, i64::wrapping_add, |a| a),
                    shape,
                )
            }
            DType::Bool => {
                let x = &t.typed::<bool>("cumsum").0[src_range];
                Tensor::from_vec(
                    scan(x, len, inner, 0i64, i64::from, i64::wrapping_add, |a| a),
                    shape,
                )
            }
        }
    }
}
