//! Conversions between CSR and dense (strided) tensors, for small matrices and tests.

use super::csr::CsrTensor;
use super::value::{SparseValue, with_sparse_dtype};
use crate::tensor::Tensor;

impl CsrTensor {
    /// The non-zero entries of a 2-D float32/float64 `dense` tensor, row by row with sorted
    /// columns (`Tensor.to_sparse_csr()`). Zeros (including `-0.0`) are not stored; NaNs are.
    /// Panics for another rank or dtype, or more than 2³² columns.
    pub fn from_dense(dense: &Tensor) -> CsrTensor {
        assert_eq!(
            dense.dim(),
            2,
            "to_sparse_csr: expected a 2-D tensor, got shape {:?}",
            dense.dims()
        );
        let (rows, cols) = (dense.dims()[0], dense.dims()[1]);
        assert!(
            cols <= u32::MAX as usize + 1,
            "to_sparse_csr: {cols} columns do not fit u32 column indices"
        );
        let dense = dense.contiguous();
        with_sparse_dtype!(dense.dtype(), "to_sparse_csr", T, {
            let data = dense
                .as_slice::<T>()
                .expect("contiguous after contiguous()");
            compress::<T>(data, rows, cols)
        })
    }

    /// The matrix as a dense `[rows, cols]` tensor of the same dtype (`Tensor.to_dense()`);
    /// repeated entries of a row add up. Allocates `rows × cols` elements.
    pub fn to_dense(&self) -> Tensor {
        with_sparse_dtype!(self.dtype(), "to_dense", T, {
            let values = self.values().as_slice::<T>().expect("contiguous values");
            let cols = self.cols();
            let mut out = vec![T::default(); self.rows() * cols];
            for (r, out_row) in out.chunks_mut(cols.max(1)).take(self.rows()).enumerate() {
                let range = self.row_range(r);
                for (&c, &v) in self.col_indices()[range.clone()].iter().zip(&values[range]) {
                    out_row[c as usize] += v;
                }
            }
            Tensor::from_vec(out, [self.rows(), cols])
        })
    }
}

impl Tensor {
    /// This 2-D float tensor in CSR layout (`Tensor.to_sparse_csr()`); see
    /// [`CsrTensor::from_dense`].
    pub fn to_sparse_csr(&self) -> CsrTensor {
        CsrTensor::from_dense(self)
    }
}

fn compress<T: SparseValue>(data: &[T], rows: usize, cols: usize) -> CsrTensor {
    let mut crow = Vec::with_capacity(rows + 1);
    crow.push(0);
    let mut col_indices = Vec::new();
    let mut values = Vec::new();
    for r in 0..rows {
        for (c, &v) in data[r * cols..(r + 1) * cols].iter().enumerate() {
            if v != T::zero() {
                col_indices.push(c as u32);
                values.push(v);
            }
        }
        crow.push(values.len());
    }
    let nnz = values.len();
    CsrTensor::from_parts_unchecked(
        crow.into(),
        col_indices.into(),
        Tensor::from_vec(values, [nnz]),
        [rows, cols],
    )
}
