//! Why a set of CSR parts does not describe a valid sparse tensor.

use std::fmt;

use crate::dtype::DType;

/// A rejected [`CsrTensor::from_parts`](super::CsrTensor::from_parts) call: the parts do not form
/// a valid compressed-sparse-row matrix (PyTorch raises `RuntimeError` from
/// `torch.sparse_csr_tensor(..., check_invariants=True)` in the same cases).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SparseError {
    /// `crow_indices` must hold `rows + 1` offsets.
    CrowLength {
        /// `rows + 1`.
        expected: usize,
        /// The length given.
        got: usize,
    },
    /// `crow_indices[0]` must be 0.
    CrowStart {
        /// The first offset given.
        first: usize,
    },
    /// `crow_indices` must never decrease; `row` is the first row whose end is before its start.
    CrowNotMonotone {
        /// The offending row.
        row: usize,
    },
    /// The last offset must equal the number of stored values.
    CrowEnd {
        /// `crow_indices[rows]`.
        last: usize,
        /// `values.len()`.
        nnz: usize,
    },
    /// `col_indices` and `values` must have the same length.
    ColLength {
        /// `col_indices.len()`.
        col_indices: usize,
        /// `values.len()`.
        values: usize,
    },
    /// A column index is not below the number of columns.
    ColOutOfRange {
        /// Position of the entry in `col_indices`.
        position: usize,
        /// The index found there.
        index: u32,
        /// The number of columns.
        cols: usize,
    },
    /// The number of columns does not fit the `u32` column indices.
    TooManyColumns {
        /// The number of columns asked for.
        cols: usize,
    },
    /// `values` must be a 1-D tensor.
    ValuesNotVector {
        /// The dims of the tensor given.
        dims: Vec<usize>,
    },
    /// `values` must be float32 or float64.
    ValuesDType {
        /// The dtype given.
        dtype: DType,
    },
}

impl fmt::Display for SparseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SparseError::CrowLength { expected, got } => write!(
                f,
                "crow_indices has length {got}, expected rows + 1 = {expected}"
            ),
            SparseError::CrowStart { first } => {
                write!(f, "crow_indices[0] is {first}, expected 0")
            }
            SparseError::CrowNotMonotone { row } => write!(
                f,
                "crow_indices decreases at row {row} (crow_indices[{row}] > crow_indices[{}])",
                row + 1
            ),
            SparseError::CrowEnd { last, nnz } => write!(
                f,
                "crow_indices ends at {last}, expected the number of values {nnz}"
            ),
            SparseError::ColLength {
                col_indices,
                values,
            } => write!(
                f,
                "col_indices has {col_indices} entries but values has {values}"
            ),
            SparseError::ColOutOfRange {
                position,
                index,
                cols,
            } => write!(
                f,
                "col_indices[{position}] = {index} is out of range for {cols} columns"
            ),
            SparseError::TooManyColumns { cols } => {
                write!(f, "{cols} columns do not fit u32 column indices")
            }
            SparseError::ValuesNotVector { dims } => {
                write!(f, "values must be 1-D, got shape {dims:?}")
            }
            SparseError::ValuesDType { dtype } => {
                write!(f, "values must be float32 or float64, got {dtype}")
            }
        }
    }
}

impl std::error::Error for SparseError {}
