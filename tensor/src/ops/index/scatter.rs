//! `scatter` and `scatter_add`: the inverse of `gather`, out of place.

use half::{bf16, f16};

use crate::cpu::strided::for_each_row;
use crate::dtype::Element;
use crate::ops::index::gather::as_1d_if_scalar;
use crate::ops::index::{check_index_dtype, check_same_device, checked_indices};
use crate::shape::Dim;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// In-place `+=` as PyTorch's CPU `scatter_add` does it per dtype: floats add (f16/bf16 via
/// f32, rounded after each add), integers wrap, bools OR.
pub(super) trait Accumulate: Element {
    /// `self + v` in this dtype's scatter-add arithmetic.
    fn accumulate(self, v: Self) -> Self;
}

macro_rules! accumulate {
    ($($t:ty => |$a:ident, $b:ident| $e:expr;)*) => {$(
        impl Accumulate for $t {
            #[inline]
            fn accumulate(self, v: Self) -> Self {
                let ($a, $b) = (self, v);
                $e
            }
        }
    )*};
}

accumulate! {
    f32 => |a, b| a + b;
    f64 => |a, b| a + b;
    f16 => |a, b| f16::from_f32(a.to_f32() + b.to_f32());
    bf16 => |a, b| bf16::from_f32(a.to_f32() + b.to_f32());
    i64 => |a, b| a.wrapping_add(b);
    u8 => |a, b| a.wrapping_add(b);
    bool => |a, b| a || b;
}

impl Tensor {
    /// A copy of `self` with `src`'s values written at the positions `index` names along `dim`
    /// (`torch.Tensor.scatter(dim, index, src)`, out of place): for a 2-D tensor and `dim == 0`,
    /// `out[index[i][j]][j] = src[i][j]`.
    ///
    /// `index` is int64 with as many dims as `self` and `src`, no dim larger than `src`'s and
    /// none larger than `self`'s except `dim`; `src` has `self`'s dtype. When an index repeats,
    /// the last write in row-major order wins on the CPU and an unspecified one on a GPU
    /// (PyTorch leaves this unspecified). Panics on a wrong dtype, rank or size, and on an
    /// index outside `[0, self.size(dim))`.
    pub fn scatter(&self, dim: impl Dim, index: &Tensor, src: &Tensor) -> Tensor {
        let d = check_scatter(self, dim, index, src, "scatter");
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::scatter(self, d, index, src, false) {
            return out;
        }
        with_dtype!(self.dtype(), T, {
            scatter_cpu::<T>(self, d, index, src, "scatter", |_, v| v)
        })
    }

    /// A copy of `self` with `src`'s values added at the positions `index` names along `dim`
    /// (`torch.Tensor.scatter_add(dim, index, src)`, out of place): for a 2-D tensor and
    /// `dim == 0`, `out[index[i][j]][j] += src[i][j]`, repeated indices accumulating.
    ///
    /// Same shape and dtype rules as [`Tensor::scatter`]. Integers wrap on overflow and bools
    /// OR, as in PyTorch; f16/bf16 round after every addition. On a GPU the additions run in
    /// an unspecified order, int64 wraps at 32 bits and f16/bf16 add in f32, rounding once.
    pub fn scatter_add(&self, dim: impl Dim, index: &Tensor, src: &Tensor) -> Tensor {
        let d = check_scatter(self, dim, index, src, "scatter_add");
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::scatter(self, d, index, src, true) {
            return out;
        }
        with_dtype!(self.dtype(), T, {
            scatter_cpu::<T>(self, d, index, src, "scatter_add", |a, v| a.accumulate(v))
        })
    }
}

/// Checks devices, dtypes, ranks and sizes as PyTorch does; returns the resolved dim.
fn check_scatter(t: &Tensor, dim: impl Dim, index: &Tensor, src: &Tensor, op: &str) -> usize {
    check_same_device(op, &[t, index, src]);
    check_index_dtype(index, op);
    assert_eq!(
        t.dtype(),
        src.dtype(),
        "{op}: expected self.dtype to be equal to src.dtype, got {} and {}",
        t.dtype(),
        src.dtype()
    );
    let rank = |x: &Tensor| x.dim().max(1);
    assert!(
        rank(index) == rank(t) && rank(index) == rank(src),
        "{op}: index, self and src must have the same number of dimensions, got shapes {}, {} and {}",
        index.shape(),
        t.shape(),
        src.shape()
    );
    let d = dim.resolve(rank(t), op);
    let (i, s, x) = (
        as_1d_if_scalar(index),
        as_1d_if_scalar(t),
        as_1d_if_scalar(src),
    );
    for k in 0..i.dim() {
        assert!(
            i.dims()[k] <= x.dims()[k] && (k == d || i.dims()[k] <= s.dims()[k]),
            "{op}: expected index {} to be no larger than self {} apart from dimension {d} and no larger than src {}",
            index.shape(),
            t.shape(),
            src.shape()
        );
    }
    d
}

/// CPU kernel: copies `self`, then walks the index row by row, combining each `src` value into
/// its target with `combine(old, new)`. Serial: targets may repeat.
fn scatter_cpu<T: Element>(
    t: &Tensor,
    d: usize,
    index: &Tensor,
    src: &Tensor,
    op: &str,
    combine: impl Fn(T, T) -> T,
) -> Tensor {
    let (input, index, src) = (
        as_1d_if_scalar(t),
        as_1d_if_scalar(index),
        as_1d_if_scalar(src),
    );
    let idx = checked_indices(&index, input.dims()[d], d, op);
    let mut out = input.to_vec::<T>();
    let (values, src_layout) = src.typed::<T>(op);
    let mut out_strides = input.shape().contiguous_strides();
    let stride_d = out_strides[d];
    out_strides[d] = 0;
    let index_dims = index.dims();
    let last = index_dims.len() - 1;
    let row_len = index_dims[last];
    let (src_inner, out_inner) = (src_layout.strides()[last], out_strides[last]);
    if row_len > 0 && !idx.is_empty() {
        let rows = idx.len() / row_len;
        let outer_strides = [&src_layout.strides()[..last], &out_strides[..last]];
        for_each_row(
            &index_dims[..last],
            outer_strides,
            [src_layout.offset(), 0],
            0..rows,
            |r, [sb, ob]| {
                for (j, &i) in idx[r * row_len..][..row_len].iter().enumerate() {
                    let p = ob + j * out_inner + i as usize * stride_d;
                    out[p] = combine(out[p], values[sb + j * src_inner]);
                }
            },
        );
    }
    Tensor::from_vec(out, t.shape().clone())
}
