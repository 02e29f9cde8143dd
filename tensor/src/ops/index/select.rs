//! `index_select`: whole slices picked along one dim by a vector of indices.

use crate::cpu::strided::for_each_row;
use crate::dtype::Element;
use crate::ops::index::{BlockCopy, check_same_device, checked_indices, fill_rows};
use crate::shape::Dim;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// The slices of `self` at positions `index` along `dim`, in that order
    /// (`torch.index_select(input, dim, index)`); also the embedding lookup `weight[ids]`.
    ///
    /// `index` is a 1-D (or 0-D) int64 tensor; the result has `self`'s shape with `dim` resized
    /// to `index.numel()` and `self`'s dtype. Panics when `index` is not int64 or has more than
    /// one dimension, and when an index is negative or not below `self.size(dim)` (PyTorch's
    /// "index out of range in self"), naming the index and the size.
    pub fn index_select(&self, dim: impl Dim, index: &Tensor) -> Tensor {
        check_same_device("index_select", &[self, index]);
        assert!(
            index.dim() <= 1,
            "index_select: index is supposed to be a vector, got shape {}",
            index.shape()
        );
        if self.dim() == 0 {
            dim.resolve(0, "index_select");
            assert_eq!(
                index.numel(),
                1,
                "index_select: index into a 0-d tensor can have only 1 value, got {}",
                index.numel()
            );
            checked_indices(index, 1, 0, "index_select");
            return self.contiguous();
        }
        let d = dim.resolve(self.dim(), "index_select");
        let idx = checked_indices(index, self.dims()[d], d, "index_select");
        with_dtype!(self.dtype(), T, { index_select_cpu::<T>(self, d, &idx) })
    }
}

/// CPU kernel: every output block `(o, j)` (o over the dims before `d`, j over `idx`) is the
/// input block at `(o, idx[j])`, copied with one `copy_from_slice` when the trailing dims are
/// contiguous.
fn index_select_cpu<T: Element>(t: &Tensor, d: usize, idx: &[i64]) -> Tensor {
    let (src, layout) = t.typed::<T>("index_select");
    let (dims, strides) = (layout.dims(), layout.strides());
    let block = BlockCopy::new(&dims[d + 1..], &strides[d + 1..]);
    let inner = block.len();
    let n = idx.len();
    let mut out_dims = dims.to_vec();
    out_dims[d] = n;
    let mut out = vec![T::default(); out_dims.iter().product()];
    // Rows enumerate (o, j); the j dim contributes `idx[j] * stride[d]`, added in the loop.
    let mut row_dims = dims[..d].to_vec();
    row_dims.push(n);
    let mut row_strides = strides[..d].to_vec();
    row_strides.push(0);
    let stride_d = strides[d];
    fill_rows(&mut out, inner, |rows, chunk| {
        let first = rows.start;
        for_each_row(
            &row_dims,
            [row_strides.as_slice()],
            [layout.offset()],
            rows,
            |r, [base]| {
                let at = base + idx[r % n] as usize * stride_d;
                block.copy(src, at, &mut chunk[(r - first) * inner..][..inner]);
            },
        );
    });
    Tensor::from_vec(out, out_dims)
}
