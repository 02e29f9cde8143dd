//! `max`/`min` (whole tensor, or along a dim with indices) and `argmax`/`argmin`.
//!
//! NaN propagates: a NaN anywhere in the reduced values is the result, and its index is the
//! first NaN's. Ties pick the first index, as PyTorch's CPU kernels do.

use crate::dtype::Element;
use crate::ops::reduce::kernel::FnFold;
use crate::ops::reduce::plan::Reduction;
use crate::shape::Dim;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// True for NaN (the only value not equal to itself); false for every non-float type.
#[inline(always)]
fn is_nan<T: PartialOrd>(x: T) -> bool {
    x.partial_cmp(&x).is_none()
}

/// Which extreme to look for.
#[derive(Clone, Copy)]
enum Extreme {
    Max,
    Min,
}

impl Extreme {
    /// True when `v` should replace the current `best`: strictly better, or the first NaN.
    #[inline(always)]
    fn beats<T: PartialOrd + Copy>(self, v: T, best: T) -> bool {
        let better = match self {
            Extreme::Max => v > best,
            Extreme::Min => v < best,
        };
        better || (is_nan(v) && !is_nan(best))
    }

    fn name(self) -> &'static str {
        match self {
            Extreme::Max => "max",
            Extreme::Min => "min",
        }
    }

    fn arg_name(self) -> &'static str {
        match self {
            Extreme::Max => "argmax",
            Extreme::Min => "argmin",
        }
    }
}

/// The extreme value of a non-empty row and its first index.
#[inline]
fn arg_extreme<T: Element>(row: &[T], which: Extreme) -> (T, i64) {
    let mut best = row[0];
    let mut index = 0;
    for (i, &v) in row.iter().enumerate().skip(1) {
        if which.beats(v, best) {
            best = v;
            index = i;
        }
    }
    (best, index as i64)
}

/// Whole-tensor extreme value as a 0-d tensor of the input's dtype.
fn whole(t: &Tensor, which: Extreme) -> Tensor {
    let op = which.name();
    assert!(
        t.numel() > 0,
        "{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
    );
    let red = Reduction::all(t);
    with_dtype!(t.dtype(), T, {
        let first = red.first::<T>(op);
        let combine = move |a: T, b: T| if which.beats(b, a) { b } else { a };
        red.output(red.fold(
            &FnFold {
                identity: first,
                load: |x: T| x,
                combine,
            },
            op,
        ))
    })
}

/// Extreme values and their indices along `dim`.
fn along(t: &Tensor, dim: impl Dim, keepdim: bool, which: Extreme, op: &str) -> (Tensor, Tensor) {
    let d = dim.resolve(t.dim(), op);
    if t.dim() > 0 {
        assert!(
            t.dims()[d] > 0,
            "{op}(): Expected reduction dim {d} to have non-zero size."
        );
    }
    let red = Reduction::single(t, d, keepdim, true, op);
    with_dtype!(t.dtype(), T, {
        let pairs = red.map_rows::<T, (T, i64)>(op, |row| arg_extreme(row, which));
        let (values, indices): (Vec<T>, Vec<i64>) = pairs.into_iter().unzip();
        (red.output(values), red.output(indices))
    })
}

impl Tensor {
    /// Largest element as a 0-d tensor (`torch.max(x)`); NaN if any element is NaN. Panics on
    /// an empty tensor, like PyTorch.
    pub fn max(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::extreme_all(self, true) {
            return out;
        }
        whole(self, Extreme::Max)
    }

    /// Smallest element as a 0-d tensor (`torch.min(x)`); NaN if any element is NaN. Panics on
    /// an empty tensor.
    pub fn min(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::extreme_all(self, false) {
            return out;
        }
        whole(self, Extreme::Min)
    }

    /// Largest values along `dim` and their int64 indices (`torch.max(x, dim, keepdim)`,
    /// returning `(values, indices)`). Ties give the first index; NaN wins. Panics when `dim`
    /// has size 0.
    pub fn max_dim(&self, dim: impl Dim, keepdim: bool) -> (Tensor, Tensor) {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::extreme_dim(self, dim, keepdim, true) {
            return out;
        }
        along(self, dim, keepdim, Extreme::Max, "max")
    }

    /// Smallest values along `dim` and their int64 indices (`torch.min(x, dim, keepdim)`).
    pub fn min_dim(&self, dim: impl Dim, keepdim: bool) -> (Tensor, Tensor) {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::extreme_dim(self, dim, keepdim, false) {
            return out;
        }
        along(self, dim, keepdim, Extreme::Min, "min")
    }

    /// Index of the largest element in the flattened (row-major) tensor, as a 0-d int64 tensor
    /// (`torch.argmax(x)`). Panics on an empty tensor.
    pub fn argmax(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::arg_all(self, true) {
            return out;
        }
        whole_arg(self, Extreme::Max)
    }

    /// Index of the smallest element in the flattened tensor (`torch.argmin(x)`).
    pub fn argmin(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::arg_all(self, false) {
            return out;
        }
        whole_arg(self, Extreme::Min)
    }

    /// Indices of the largest values along `dim` (`torch.argmax(x, dim, keepdim)`).
    pub fn argmax_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::arg_dim(self, dim, keepdim, true) {
            return out;
        }
        along(self, dim, keepdim, Extreme::Max, "argmax").1
    }

    /// Indices of the smallest values along `dim` (`torch.argmin(x, dim, keepdim)`).
    pub fn argmin_dim(&self, dim: impl Dim, keepdim: bool) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::arg_dim(self, dim, keepdim, false) {
            return out;
        }
        along(self, dim, keepdim, Extreme::Min, "argmin").1
    }
}

/// Flattened index of the whole tensor's extreme.
fn whole_arg(t: &Tensor, which: Extreme) -> Tensor {
    let op = which.arg_name();
    assert!(
        t.numel() > 0,
        "{op}(): Expected reduction dim to be specified for input.numel() == 0."
    );
    let red = Reduction::all(t);
    with_dtype!(t.dtype(), T, {
        let index = red.map_rows::<T, i64>(op, |row| arg_extreme(row, which).1);
        red.output(index)
    })
}
