//! `var` and `std` with Bessel's correction as a flag.
//!
//! Two passes per output in f64 (mean, then the sum of squared deviations), so the result is
//! accurate even when the mean is large compared with the spread. f16/bf16 inputs are widened
//! to f32 first and the result is cast back.

use crate::dtype::{DType, Element};
use crate::ops::reduce::kernel::{SumOf, fold_slice};
use crate::ops::reduce::plan::Reduction;
use crate::tensor::Tensor;

/// Variance of one run of values, `Σ(x - mean)² / max(n - correction, 0)` (NaN when the
/// divisor is 0, as PyTorch gives).
fn row_var<T: Element>(row: &[T], correction: f64) -> f64 {
    let n = row.len() as f64;
    let mean = fold_slice(&SumOf(|x: T| x.to_f64()), row) / n;
    let squares = SumOf(|x: T| {
        let d = x.to_f64() - mean;
        d * d
    });
    fold_slice(&squares, row) / (n - correction).max(0.0)
}

/// Variance (or its square root) over `dims`; see [`Tensor::var_dim`].
fn moments(t: &Tensor, dims: &[i64], unbiased: bool, keepdim: bool, sqrt: bool) -> Tensor {
    let op = if sqrt { "std" } else { "var" };
    let dtype = t.dtype();
    assert!(
        dtype.is_float(),
        "{op}: std and var only support floating point and complex dtypes, got {dtype}"
    );
    if matches!(dtype, DType::F16 | DType::BF16) {
        return moments(&t.to_dtype(DType::F32), dims, unbiased, keepdim, sqrt).to_dtype(dtype);
    }
    let correction = if unbiased { 1.0 } else { 0.0 };
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::variance(t, dims, correction, keepdim, sqrt) {
        return out;
    }
    let red = Reduction::new(t, dims, keepdim, true, op);
    let finish = |v: f64| if sqrt { v.sqrt() } else { v };
    match dtype {
        DType::F64 => {
            red.output(red.map_rows::<f64, f64>(op, |row| finish(row_var(row, correction))))
        }
        _ => {
            red.output(red.map_rows::<f32, f32>(op, |row| finish(row_var(row, correction)) as f32))
        }
    }
}

impl Tensor {
    /// Variance of all elements as a 0-d tensor (`torch.var(x, unbiased=…)`): `unbiased`
    /// divides by `n - 1` (PyTorch's default, `correction=1`), otherwise by `n`. Float tensors
    /// only. NaN when the divisor is not positive.
    pub fn var(&self, unbiased: bool) -> Tensor {
        moments(self, &[], unbiased, false, false)
    }

    /// Variance over `dims` (`torch.var(x, dim, unbiased, keepdim)`); an empty list reduces
    /// every dim.
    pub fn var_dim(&self, dims: &[i64], unbiased: bool, keepdim: bool) -> Tensor {
        moments(self, dims, unbiased, keepdim, false)
    }

    /// Standard deviation of all elements (`torch.std(x, unbiased=…)`), the square root of
    /// [`Tensor::var`].
    pub fn std(&self, unbiased: bool) -> Tensor {
        moments(self, &[], unbiased, false, true)
    }

    /// Standard deviation over `dims` (`torch.std(x, dim, unbiased, keepdim)`).
    pub fn std_dim(&self, dims: &[i64], unbiased: bool, keepdim: bool) -> Tensor {
        moments(self, dims, unbiased, keepdim, true)
    }
}
