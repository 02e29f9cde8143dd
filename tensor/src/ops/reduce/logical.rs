//! `all` and `any`: whether every / some element is non-zero.

use crate::ops::reduce::kernel::FnFold;
use crate::ops::reduce::plan::Reduction;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// Folds the truth values (`x != 0`; NaN counts as true) with AND (`all`) or OR (`any`).
fn truth(t: &Tensor, red: &Reduction, all: bool) -> Tensor {
    let op = if all { "all" } else { "any" };
    with_dtype!(t.dtype(), T, {
        let zero = T::default();
        let load = move |x: T| x != zero;
        let values = if all {
            red.fold(
                &FnFold {
                    identity: true,
                    load,
                    combine: |a: bool, b: bool| a && b,
                },
                op,
            )
        } else {
            red.fold(
                &FnFold {
                    identity: false,
                    load,
                    combine: |a: bool, b: bool| a || b,
                },
                op,
            )
        };
        red.output(values)
    })
}

impl Tensor {
    /// True when every element is non-zero, as a 0-d bool tensor (`torch.all(x)`); true for an
    /// empty tensor. Unlike PyTorch, a uint8 input also gives bool.
    pub fn all(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::truth(self, &[], false, true) {
            return out;
        }
        truth(self, &Reduction::all(self), true)
    }

    /// True when some element is non-zero, as a 0-d bool tensor (`torch.any(x)`); false for an
    /// empty tensor.
    pub fn any(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::truth(self, &[], false, false) {
            return out;
        }
        truth(self, &Reduction::all(self), false)
    }

    /// [`Tensor::all`] over `dims` (`torch.all(x, dim, keepdim)`); an empty list reduces every
    /// dim.
    pub fn all_dim(&self, dims: &[i64], keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::truth(self, dims, keepdim, true) {
            return out;
        }
        truth(
            self,
            &Reduction::new(self, dims, keepdim, false, "all"),
            true,
        )
    }

    /// [`Tensor::any`] over `dims` (`torch.any(x, dim, keepdim)`).
    pub fn any_dim(&self, dims: &[i64], keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::truth(self, dims, keepdim, false) {
            return out;
        }
        truth(
            self,
            &Reduction::new(self, dims, keepdim, false, "any"),
            false,
        )
    }
}
