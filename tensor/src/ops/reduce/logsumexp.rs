//! `logsumexp`: `log Σ exp(x)` computed stably by factoring out the maximum.

use crate::dtype::DType;
use crate::ops::real::Real;
use crate::ops::reduce::kernel::{FnFold, SumOf, fold_slice};
use crate::ops::reduce::plan::Reduction;
use crate::tensor::Tensor;

/// `m + log Σ exp(x - m)` with `m` the row's maximum; an infinite maximum is replaced by 0 so
/// that all `-inf` gives `-inf` and any `+inf` gives `+inf` (PyTorch's rule). Empty rows give
/// `-inf`; NaN propagates.
fn row_logsumexp<T: Real>(row: &[T]) -> T {
    let max = FnFold {
        identity: T::neg_infinity(),
        load: |x: T| x,
        combine: |a: T, b: T| if b > a || b.is_nan() { b } else { a },
    };
    let m = fold_slice(&max, row);
    let shift = if m.is_infinite() { T::zero() } else { m };
    fold_slice(&SumOf(|x: T| (x - shift).exp()), row).ln() + shift
}

impl Tensor {
    /// `log(Σ exp(x))` over `dims` without overflow (`torch.logsumexp(x, dim, keepdim)`); an
    /// empty `dims` reduces every dim. Integer and bool inputs give f32, f16/bf16 compute in f32
    /// and keep their dtype.
    pub fn logsumexp(&self, dims: &[i64], keepdim: bool) -> Tensor {
        let op = "logsumexp";
        match self.dtype() {
            DType::F32 => {
                #[cfg(feature = "gpu")]
                if let Some(out) = crate::gpu::logsumexp(self, dims, keepdim) {
                    return out;
                }
                let red = Reduction::new(self, dims, keepdim, true, op);
                red.output(red.map_rows::<f32, f32>(op, row_logsumexp))
            }
            DType::F64 => {
                let red = Reduction::new(self, dims, keepdim, true, op);
                red.output(red.map_rows::<f64, f64>(op, row_logsumexp))
            }
            d @ (DType::F16 | DType::BF16) => self
                .to_dtype(DType::F32)
                .logsumexp(dims, keepdim)
                .to_dtype(d),
            _ => self.to_dtype(DType::F32).logsumexp(dims, keepdim),
        }
    }
}
