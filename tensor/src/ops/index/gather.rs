//! `gather`: one element picked along a dim for every position of an index tensor.

use crate::cpu::strided::for_each_row;
use crate::dtype::Element;
use crate::ops::index::{check_index_dtype, check_same_device, checked_indices, fill_rows};
use crate::shape::Dim;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// Picks values along `dim` (`torch.gather(input, dim, index)`): for a 3-D tensor and
    /// `dim == 1`, `out[i][j][k] = self[i][index[i][j][k]][k]`.
    ///
    /// `index` is int64 with as many dims as `self` (a 0-d tensor counts as 1-d, as in PyTorch)
    /// and no dim larger than `self`'s except `dim`; the result has `index`'s shape and
    /// `self`'s dtype. Panics on a wrong dtype, rank or size, and on an index outside
    /// `[0, self.size(dim))`, naming the index and the size.
    pub fn gather(&self, dim: impl Dim, index: &Tensor) -> Tensor {
        check_same_device("gather", &[self, index]);
        check_index_dtype(index, "gather");
        let (input, idx_t) = (as_1d_if_scalar(self), as_1d_if_scalar(index));
        assert_eq!(
            idx_t.dim(),
            input.dim(),
            "gather: index tensor must have the same number of dimensions as input tensor, got index {} and input {}",
            index.shape(),
            self.shape()
        );
        let d = dim.resolve(input.dim(), "gather");
        for (k, (&i, &s)) in idx_t.dims().iter().zip(input.dims()).enumerate() {
            assert!(
                k == d || i <= s,
                "gather: size does not match at dimension {k}: expected index {} to be no larger than input {} apart from dimension {d}",
                index.shape(),
                self.shape()
            );
        }
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::gather(&input, d, &idx_t) {
            return out.reshape_to(index.shape());
        }
        let idx = checked_indices(&idx_t, input.dims()[d], d, "gather");
        let out = with_dtype!(self.dtype(), T, {
            gather_cpu::<T>(&input, d, idx_t.dims(), &idx)
        });
        out.reshape_to(index.shape())
    }
}

/// PyTorch treats a 0-d tensor as 1-d in gather/scatter; this is that view.
pub(crate) fn as_1d_if_scalar(t: &Tensor) -> Tensor {
    if t.dim() == 0 {
        t.reshape(&[1])
    } else {
        t.clone()
    }
}

/// CPU kernel: rows of the index's last dim; the input offset of a row comes from the input
/// strides with `dim`'s stride zeroed, plus `index * stride[dim]` per element.
fn gather_cpu<T: Element>(t: &Tensor, d: usize, index_dims: &[usize], idx: &[i64]) -> Tensor {
    let (src, layout) = t.typed::<T>("gather");
    let mut strides = layout.strides().to_vec();
    let stride_d = strides[d];
    strides[d] = 0;
    let last = index_dims.len() - 1;
    let (row_len, inner_stride) = (index_dims[last], strides[last]);
    let mut out = vec![T::default(); idx.len()];
    fill_rows(&mut out, row_len, |rows, chunk| {
        let first = rows.start;
        for_each_row(
            &index_dims[..last],
            [&strides[..last]],
            [layout.offset()],
            rows,
            |r, [base]| {
                let dst = &mut chunk[(r - first) * row_len..][..row_len];
                let ids = &idx[r * row_len..][..row_len];
                for (j, (o, &i)) in dst.iter_mut().zip(ids).enumerate() {
                    *o = src[base + j * inner_stride + i as usize * stride_d];
                }
            },
        );
    });
    Tensor::from_vec(out, index_dims.to_vec())
}
