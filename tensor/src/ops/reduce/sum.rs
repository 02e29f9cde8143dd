//! `sum`, `mean` and `prod` over everything or over given dims.

use half::{bf16, f16};

use crate::dtype::{DType, Element};
use crate::ops::reduce::kernel::FnFold;
use crate::ops::reduce::plan::Reduction;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Which arithmetic fold to run.
#[derive(Clone, Copy)]
enum Arith {
    Sum,
    Prod,
}

/// Folds with `identity`/`load`/`combine` and returns the per-output accumulators.
fn run<T: Element, A: Copy + Send + Sync>(
    red: &Reduction,
    op: &str,
    identity: A,
    load: impl Fn(T) -> A + Sync,
    combine: impl Fn(A, A) -> A + Sync,
) -> Vec<A> {
    red.fold(
        &FnFold {
            identity,
            load,
            combine,
        },
        op,
    )
}

/// Floats fold in their own type (f16/bf16 in f32) with pairwise order; integers and bools
/// fold in i64 with wrapping overflow, giving int64 like PyTorch.
fn arith(t: &Tensor, red: &Reduction, kind: Arith, op: &str) -> Tensor {
    match kind {
        Arith::Sum => arith_with(
            t,
            red,
            op,
            0.0,
            |a: f32, b| a + b,
            |a: f64, b| a + b,
            i64::wrapping_add,
        ),
        Arith::Prod => arith_with(
            t,
            red,
            op,
            1.0,
            |a: f32, b| a * b,
            |a: f64, b| a * b,
            i64::wrapping_mul,
        ),
    }
}

/// [`arith`] with the identity and the combining function for each accumulator type.
fn arith_with(
    t: &Tensor,
    red: &Reduction,
    op: &str,
    identity: f64,
    f32op: impl Fn(f32, f32) -> f32 + Sync + Copy,
    f64op: impl Fn(f64, f64) -> f64 + Sync + Copy,
    iop: impl Fn(i64, i64) -> i64 + Sync + Copy,
) -> Tensor {
    let (fid, iid) = (identity as f32, identity as i64);
    match t.dtype() {
        DType::F32 => red.output(run(red, op, fid, |x: f32| x, f32op)),
        DType::F64 => red.output(run(red, op, identity, |x: f64| x, f64op)),
        DType::F16 => {
            let acc = run(red, op, fid, |x: f16| x.to_f32(), f32op);
            red.output(acc.into_iter().map(f16::from_f32).collect())
        }
        DType::BF16 => {
            let acc = run(red, op, fid, |x: bf16| x.to_f32(), f32op);
            red.output(acc.into_iter().map(bf16::from_f32).collect())
        }
        DType::I64 => red.output(run(red, op, iid, |x: i64| x, iop)),
        DType::U8 => red.output(run::<u8, i64>(red, op, iid, i64::from, iop)),
        DType::Bool => red.output(run::<bool, i64>(red, op, iid, i64::from, iop)),
    }
}

/// Sum divided by the count, for float tensors only (PyTorch refuses integer means).
fn mean_of(t: &Tensor, red: &Reduction) -> Tensor {
    let dtype = t.dtype();
    assert!(
        dtype.is_float(),
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
        torch_type_name(dtype)
    );
    let n = red.reduced() as f64;
    match dtype {
        DType::F64 => {
            let acc = run(red, "mean", 0.0f64, |x: f64| x, |a, b| a + b);
            red.output(acc.into_iter().map(|s| s / n).collect())
        }
        DType::F32 => {
            let acc = run(red, "mean", 0.0f32, |x: f32| x, |a, b| a + b);
            red.output(acc.into_iter().map(|s| s / n as f32).collect())
        }
        DType::F16 => {
            let acc = run(red, "mean", 0.0f32, |x: f16| x.to_f32(), |a, b| a + b);
            red.output(
                acc.into_iter()
                    .map(|s| f16::from_f32(s / n as f32))
                    .collect(),
            )
        }
        _ => {
            let acc = run(red, "mean", 0.0f32, |x: bf16| x.to_f32(), |a, b| a + b);
            red.output(
                acc.into_iter()
                    .map(|s| bf16::from_f32(s / n as f32))
                    .collect(),
            )
        }
    }
}

/// PyTorch's scalar-type name in error messages (`Long`, `Byte`, `Bool`, ...).
pub(crate) fn torch_type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::F32 => "Float",
        DType::F64 => "Double",
        DType::F16 => "Half",
        DType::BF16 => "BFloat16",
        DType::I64 => "Long",
        DType::U8 => "Byte",
        DType::Bool => "Bool",
    }
}

impl Tensor {
    /// Sum of all elements as a 0-d tensor (`torch.sum(x)`). Floats keep their dtype (f16/bf16
    /// accumulate in f32, f32 sums pairwise); integer and bool tensors give int64. The sum of an
    /// empty tensor is 0.
    pub fn sum(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::sum_dims(self, &[], false) {
            return out;
        }
        arith(self, &Reduction::all(self), Arith::Sum, "sum")
    }

    /// Sum over `dims` (`torch.sum(x, dim, keepdim)`); negative dims count from the end, an
    /// empty list reduces every dim. With `keepdim` the reduced dims stay as size 1. Dtypes as
    /// in [`Tensor::sum`].
    pub fn sum_dim(&self, dims: &[i64], keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::sum_dims(self, dims, keepdim) {
            return out;
        }
        arith(
            self,
            &Reduction::new(self, dims, keepdim, false, "sum"),
            Arith::Sum,
            "sum",
        )
    }

    /// Mean of all elements as a 0-d tensor (`torch.mean(x)`); float tensors only (panics for
    /// integer ones, like PyTorch). The mean of an empty tensor is NaN.
    pub fn mean(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::mean_dims(self, &[], false) {
            return out;
        }
        mean_of(self, &Reduction::all(self))
    }

    /// Mean over `dims` (`torch.mean(x, dim, keepdim)`); an empty list reduces every dim.
    pub fn mean_dim(&self, dims: &[i64], keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::mean_dims(self, dims, keepdim) {
            return out;
        }
        mean_of(self, &Reduction::new(self, dims, keepdim, false, "mean"))
    }

    /// Product of all elements as a 0-d tensor (`torch.prod(x)`); integer and bool tensors give
    /// int64 (wrapping on overflow). The product of an empty tensor is 1. On a GPU it
    /// accumulates in f32, so integer products are exact up to 2^24.
    pub fn prod(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::prod_dims(self, &[], false) {
            return out;
        }
        arith(self, &Reduction::all(self), Arith::Prod, "prod")
    }

    /// Product over one dim (`torch.prod(x, dim, keepdim)`).
    pub fn prod_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) =
            crate::gpu::prod_dims(self, &[dim.resolve(self.dim(), "prod") as i64], keepdim)
        {
            return out;
        }
        arith(
            self,
            &Reduction::single(self, dim, keepdim, false, "prod"),
            Arith::Prod,
            "prod",
        )
    }
}
