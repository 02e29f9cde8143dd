//! `CsrMatrix`: compressed sparse rows, the output of the vectorizers.
//!
//! The layout is scipy's `csr_array` with sorted indices: the non-zeros of
//! row `r` are `data[indptr[r]..indptr[r + 1]]` at columns
//! `indices[indptr[r]..indptr[r + 1]]`, strictly increasing within a row.

use super::error::VectorizerError;
use super::value::CountValue;

/// A sparse matrix in CSR form (scipy `csr_array` with `has_sorted_indices`).
#[derive(Debug, Clone, PartialEq)]
pub struct CsrMatrix<T> {
    n_rows: usize,
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    data: Vec<T>,
}

impl<T: CountValue> CsrMatrix<T> {
    /// Builds a matrix from its three arrays, checking every CSR invariant:
    /// `indptr` has `n_rows + 1` non-decreasing entries from 0 to `nnz`, and
    /// each row's column indices are strictly increasing and below `n_cols`.
    pub fn from_parts(
        n_rows: usize,
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
    ) -> Result<Self, VectorizerError> {
        let bad = |reason: String| VectorizerError::InvalidParameter {
            name: "csr",
            reason,
        };
        if indptr.len() != n_rows + 1 || indptr[0] != 0 {
            return Err(bad(format!(
                "indptr must have {} entries starting at 0",
                n_rows + 1
            )));
        }
        if indices.len() != data.len() || indptr[n_rows] != indices.len() {
            return Err(bad("indptr[-1], indices and data lengths disagree".into()));
        }
        for r in 0..n_rows {
            let (start, end) = (indptr[r], indptr[r + 1]);
            if start > end {
                return Err(bad(format!("indptr decreases at row {r}")));
            }
            let row = &indices[start..end];
            if row.windows(2).any(|w| w[0] >= w[1]) {
                return Err(bad(format!(
                    "row {r} has unsorted or repeated column indices"
                )));
            }
            if row.last().is_some_and(|&c| c as usize >= n_cols) {
                return Err(bad(format!("row {r} has a column index >= {n_cols}")));
            }
        }
        Ok(Self {
            n_rows,
            n_cols,
            indptr,
            indices,
            data,
        })
    }

    /// Internal constructor for arrays that are valid by construction.
    pub(crate) fn from_parts_unchecked(
        n_cols: usize,
        indptr: Vec<usize>,
        indices: Vec<u32>,
        data: Vec<T>,
    ) -> Self {
        debug_assert_eq!(indptr.last().copied(), Some(indices.len()));
        debug_assert_eq!(indices.len(), data.len());
        Self {
            n_rows: indptr.len() - 1,
            n_cols,
            indptr,
            indices,
            data,
        }
    }

    /// `(rows, columns)`, as scipy's `shape`.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_rows, self.n_cols)
    }

    /// Number of stored entries (scipy `nnz`).
    pub fn nnz(&self) -> usize {
        self.data.len()
    }

    /// Row pointer array of length `rows + 1` (scipy `indptr`).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// Column index of each stored entry, sorted within each row (scipy `indices`).
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Value of each stored entry (scipy `data`).
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The column indices and values of row `r`. Panics if `r >= rows`.
    pub fn row(&self, r: usize) -> (&[u32], &[T]) {
        assert!(
            r < self.n_rows,
            "CsrMatrix::row: row {r} out of range for {} rows",
            self.n_rows
        );
        let span = self.indptr[r]..self.indptr[r + 1];
        (&self.indices[span.clone()], &self.data[span])
    }

    /// The entry at `(r, c)`, zero when not stored. Panics when out of range.
    pub fn get(&self, r: usize, c: usize) -> T {
        assert!(
            c < self.n_cols,
            "CsrMatrix::get: column {c} out of range for {}",
            self.n_cols
        );
        let (cols, vals) = self.row(r);
        match u32::try_from(c).map(|c| cols.binary_search(&c)) {
            Ok(Ok(i)) => vals[i],
            _ => T::ZERO,
        }
    }

    /// Row-major dense copy (`rows * columns` values); for small matrices only.
    pub fn to_dense(&self) -> Vec<T> {
        let mut out = vec![T::ZERO; self.n_rows * self.n_cols];
        for r in 0..self.n_rows {
            let (cols, vals) = self.row(r);
            for (&c, &v) in cols.iter().zip(vals) {
                out[r * self.n_cols + c as usize] = v;
            }
        }
        out
    }

    /// Takes the matrix apart into `(shape, indptr, indices, data)`.
    #[allow(clippy::type_complexity)]
    pub fn into_parts(self) -> ((usize, usize), Vec<usize>, Vec<u32>, Vec<T>) {
        (
            (self.n_rows, self.n_cols),
            self.indptr,
            self.indices,
            self.data,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_roundtrip_and_validation() {
        let m =
            CsrMatrix::from_parts(2, 3, vec![0, 2, 3], vec![0, 2, 1], vec![1i64, 2, 3]).unwrap();
        assert_eq!(m.shape(), (2, 3));
        assert_eq!(m.nnz(), 3);
        assert_eq!(m.to_dense(), vec![1, 0, 2, 0, 3, 0]);
        assert_eq!(m.get(0, 2), 2);
        assert_eq!(m.get(1, 0), 0);
        assert!(
            CsrMatrix::from_parts(2, 3, vec![0, 2, 3], vec![2, 0, 1], vec![1i64, 2, 3]).is_err()
        );
        assert!(
            CsrMatrix::from_parts(2, 3, vec![0, 2, 3], vec![0, 3, 1], vec![1i64, 2, 3]).is_err()
        );
        assert!(CsrMatrix::from_parts(2, 3, vec![0, 2], vec![0, 1], vec![1i64, 2]).is_err());
        assert!(CsrMatrix::from_parts(1, 3, vec![0, 3], vec![0, 1], vec![1i64, 2]).is_err());
    }
}
