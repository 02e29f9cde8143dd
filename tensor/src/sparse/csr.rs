//! The compressed-sparse-row tensor type and its validating constructor.

use std::sync::Arc;

use super::error::SparseError;
use crate::dtype::DType;
use crate::tensor::Tensor;

/// A 2-D sparse matrix in compressed-sparse-row layout (PyTorch's `torch.sparse_csr_tensor`,
/// `layout=torch.sparse_csr`).
///
/// Row `r` holds the entries `crow_indices[r]..crow_indices[r + 1]` of `col_indices` (their
/// columns) and `values` (their values). Values are float32 or float64; column indices are
/// `u32` (the same width scikit-learn and `kiln-text` use for vocabulary columns), so a matrix
/// has at most 2³² columns. Column indices need not be sorted within a row, and a column may
/// repeat in a row: repeated entries add up in [`to_dense`](CsrTensor::to_dense) and in every
/// product, as an uncoalesced PyTorch sparse tensor does.
///
/// Cloning is cheap: the index arrays and the values tensor are shared.
#[derive(Clone, Debug)]
pub struct CsrTensor {
    crow_indices: Arc<[usize]>,
    col_indices: Arc<[u32]>,
    values: Tensor,
    shape: [usize; 2],
}

impl CsrTensor {
    /// Builds a `shape = [rows, cols]` CSR tensor from its parts
    /// (`torch.sparse_csr_tensor(crow_indices, col_indices, values, size)` with invariant
    /// checks). `values` must be a 1-D float32 or float64 tensor (a strided view is copied to
    /// contiguous); every invariant listed in [`SparseError`] is checked in `O(rows + nnz)`.
    pub fn from_parts(
        crow_indices: Vec<usize>,
        col_indices: Vec<u32>,
        values: Tensor,
        shape: [usize; 2],
    ) -> Result<CsrTensor, SparseError> {
        let [rows, cols] = shape;
        if !matches!(values.dtype(), DType::F32 | DType::F64) {
            return Err(SparseError::ValuesDType {
                dtype: values.dtype(),
            });
        }
        if values.dim() != 1 {
            return Err(SparseError::ValuesNotVector {
                dims: values.dims().to_vec(),
            });
        }
        if cols > u32::MAX as usize + 1 {
            return Err(SparseError::TooManyColumns { cols });
        }
        let expected = rows.checked_add(1).ok_or(SparseError::CrowLength {
            expected: usize::MAX,
            got: crow_indices.len(),
        })?;
        if crow_indices.len() != expected {
            return Err(SparseError::CrowLength {
                expected,
                got: crow_indices.len(),
            });
        }
        let nnz = values.numel();
        if col_indices.len() != nnz {
            return Err(SparseError::ColLength {
                col_indices: col_indices.len(),
                values: nnz,
            });
        }
        if crow_indices[0] != 0 {
            return Err(SparseError::CrowStart {
                first: crow_indices[0],
            });
        }
        if let Some(row) = crow_indices.windows(2).position(|w| w[0] > w[1]) {
            return Err(SparseError::CrowNotMonotone { row });
        }
        if crow_indices[rows] != nnz {
            return Err(SparseError::CrowEnd {
                last: crow_indices[rows],
                nnz,
            });
        }
        if let Some(position) = col_indices.iter().position(|&c| c as usize >= cols) {
            return Err(SparseError::ColOutOfRange {
                position,
                index: col_indices[position],
                cols,
            });
        }
        Ok(CsrTensor::from_parts_unchecked(
            crow_indices.into(),
            col_indices.into(),
            values.contiguous(),
            shape,
        ))
    }

    /// Assembles parts already known to be valid (built by this module's own kernels).
    pub(crate) fn from_parts_unchecked(
        crow_indices: Arc<[usize]>,
        col_indices: Arc<[u32]>,
        values: Tensor,
        shape: [usize; 2],
    ) -> CsrTensor {
        debug_assert_eq!(crow_indices.len(), shape[0] + 1);
        debug_assert_eq!(col_indices.len(), values.numel());
        CsrTensor {
            crow_indices,
            col_indices,
            values,
            shape,
        }
    }

    /// Row offsets, `rows + 1` of them (`Tensor.crow_indices()`).
    pub fn crow_indices(&self) -> &[usize] {
        &self.crow_indices
    }

    /// Column of each stored value, in storage order (`Tensor.col_indices()`).
    pub fn col_indices(&self) -> &[u32] {
        &self.col_indices
    }

    /// The stored values, a contiguous 1-D float tensor of length [`nnz`](Self::nnz)
    /// (`Tensor.values()`).
    pub fn values(&self) -> &Tensor {
        &self.values
    }

    /// `[rows, cols]` (`Tensor.shape`).
    pub fn shape(&self) -> [usize; 2] {
        self.shape
    }

    /// Number of rows (`size(0)`).
    pub fn rows(&self) -> usize {
        self.shape[0]
    }

    /// Number of columns (`size(1)`).
    pub fn cols(&self) -> usize {
        self.shape[1]
    }

    /// Number of stored values, explicit zeros and repeats included (`Tensor._nnz()`).
    pub fn nnz(&self) -> usize {
        self.col_indices.len()
    }

    /// The dtype of the values (`Tensor.dtype`): float32 or float64.
    pub fn dtype(&self) -> DType {
        self.values.dtype()
    }

    /// The storage range of row `r`'s entries in [`col_indices`](Self::col_indices) and
    /// [`values`](Self::values). Panics if `r` is out of range.
    pub fn row_range(&self, r: usize) -> std::ops::Range<usize> {
        assert!(
            r < self.rows(),
            "row_range: row {r} out of range for {} rows",
            self.rows()
        );
        self.crow_indices[r]..self.crow_indices[r + 1]
    }

    /// The same matrix with values converted to `dtype` (`Tensor.to(dtype)`); indices are
    /// shared. Panics unless `dtype` is float32 or float64.
    pub fn to_dtype(&self, dtype: DType) -> CsrTensor {
        assert!(
            matches!(dtype, DType::F32 | DType::F64),
            "to_dtype: sparse CSR values must be float32 or float64, got {dtype}"
        );
        CsrTensor {
            values: self.values.to_dtype(dtype),
            ..self.clone()
        }
    }
}
