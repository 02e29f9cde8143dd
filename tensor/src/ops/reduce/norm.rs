//! Vector p-norms over everything or over given dims (`torch.linalg.vector_norm`, `Tensor.norm`).

use crate::dtype::DType;
use crate::ops::real::Real;
use crate::ops::reduce::kernel::FnFold;
use crate::ops::reduce::plan::Reduction;
use crate::ops::reduce::sum::torch_type_name;
use crate::tensor::Tensor;

/// The p-norm of each output's values, computed in `T`.
fn norm_real<T: Real>(red: &Reduction, p: f64) -> Vec<T> {
    let op = "norm";
    let add = |a: T, b: T| a + b;
    if p == 2.0 {
        let acc = red.fold(
            &FnFold {
                identity: T::zero(),
                load: |x: T| x * x,
                combine: add,
            },
            op,
        );
        acc.into_iter().map(|s| s.sqrt()).collect()
    } else if p == 1.0 {
        red.fold(
            &FnFold {
                identity: T::zero(),
                load: |x: T| x.abs(),
                combine: add,
            },
            op,
        )
    } else if p.is_infinite() {
        let name = if p > 0.0 { "inf" } else { "-inf" };
        assert!(
            red.reduced() > 0 || red.outputs() == 0,
            "linalg.vector_norm cannot compute the {name} norm on an empty tensor because the operation does not have an identity"
        );
        let (identity, want_max) = if p > 0.0 {
            (T::zero(), true)
        } else {
            (T::infinity(), false)
        };
        let combine = move |a: T, b: T| {
            let better = if want_max { b > a } else { b < a };
            if better || b.is_nan() { b } else { a }
        };
        red.fold(
            &FnFold {
                identity,
                load: |x: T| x.abs(),
                combine,
            },
            op,
        )
    } else if p == 0.0 {
        let count = |x: T| if x != T::zero() { T::one() } else { T::zero() };
        red.fold(
            &FnFold {
                identity: T::zero(),
                load: count,
                combine: add,
            },
            op,
        )
    } else {
        let pt = T::c(p);
        let acc = red.fold(
            &FnFold {
                identity: T::zero(),
                load: |x: T| x.abs().powf(pt),
                combine: add,
            },
            op,
        );
        let inv = T::c(1.0 / p);
        acc.into_iter().map(|s| s.powf(inv)).collect()
    }
}

fn norm_impl(t: &Tensor, p: f64, dims: &[i64], keepdim: bool) -> Tensor {
    let dtype = t.dtype();
    assert!(
        dtype.is_float(),
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
        torch_type_name(dtype)
    );
    assert!(
        !p.is_nan(),
        "linalg.vector_norm: the order p must not be NaN"
    );
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::norm(t, p, dims, keepdim) {
        return out;
    }
    match dtype {
        DType::F32 => {
            let red = Reduction::new(t, dims, keepdim, false, "norm");
            red.output(norm_real::<f32>(&red, p))
        }
        DType::F64 => {
            let red = Reduction::new(t, dims, keepdim, false, "norm");
            red.output(norm_real::<f64>(&red, p))
        }
        _ => norm_impl(&t.to_dtype(DType::F32), p, dims, keepdim).to_dtype(dtype),
    }
}

impl Tensor {
    /// Euclidean (2-)norm of all elements as a 0-d tensor (`Tensor.norm()`); float tensors
    /// only, f16/bf16 computed in f32.
    pub fn norm(&self) -> Tensor {
        norm_impl(self, 2.0, &[], false)
    }

    /// The vector p-norm over `dims` (`torch.linalg.vector_norm(x, ord=p, dim, keepdim)`,
    /// `Tensor.norm(p, dim, keepdim)`): `(Σ|x|^p)^(1/p)`; `p = ∞` is `max|x|`, `p = -∞` is
    /// `min|x|`, `p = 0` counts the non-zeros. An empty `dims` reduces every dim. Panics for
    /// `±∞` over an empty dim (no identity), like PyTorch.
    pub fn norm_p(&self, p: f64, dims: &[i64], keepdim: bool) -> Tensor {
        norm_impl(self, p, dims, keepdim)
    }
}
