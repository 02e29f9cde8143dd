//! Picking rows of a CSR tensor, for mini-batches of sparse samples.

use super::csr::CsrTensor;
use super::value::with_sparse_dtype;
use crate::tensor::Tensor;

impl CsrTensor {
    /// A new CSR tensor made of the rows `index` (in that order, repeats allowed), with the same
    /// columns (`sparse_csr.index_select(0, index)`). Copies only the selected rows' entries.
    /// Panics naming the row when an index is out of range.
    pub fn select_rows(&self, index: &[usize]) -> CsrTensor {
        let rows = self.rows();
        if let Some(&bad) = index.iter().find(|&&r| r >= rows) {
            panic!("select_rows: index {bad} is out of bounds for {rows} rows");
        }
        let mut crow = Vec::with_capacity(index.len() + 1);
        crow.push(0usize);
        for &r in index {
            let len = self.crow_indices()[r + 1] - self.crow_indices()[r];
            crow.push(crow[crow.len() - 1] + len);
        }
        let nnz = crow[index.len()];
        let mut cols = Vec::with_capacity(nnz);
        for &r in index {
            cols.extend_from_slice(&self.col_indices()[self.row_range(r)]);
        }
        let values = with_sparse_dtype!(self.dtype(), "select_rows", T, {
            let src = self.values().as_slice::<T>().expect("contiguous values");
            let mut out = Vec::with_capacity(nnz);
            for &r in index {
                out.extend_from_slice(&src[self.row_range(r)]);
            }
            Tensor::from_vec(out, [nnz])
        });
        CsrTensor::from_parts_unchecked(
            crow.into(),
            cols.into(),
            values,
            [index.len(), self.cols()],
        )
    }

    /// Rows `start..start + length` as a new CSR tensor (`Tensor.narrow(0, start, length)`).
    /// Panics when the range runs past the last row.
    pub fn narrow_rows(&self, start: usize, length: usize) -> CsrTensor {
        let end = start.checked_add(length).filter(|&e| e <= self.rows());
        let Some(end) = end else {
            panic!(
                "narrow_rows: start ({start}) + length ({length}) exceeds {} rows",
                self.rows()
            );
        };
        let index: Vec<usize> = (start..end).collect();
        self.select_rows(&index)
    }
}
