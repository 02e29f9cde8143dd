//! Sparse × dense matrix products: `A·B` (`torch.sparse.mm`) and `Aᵀ·G` (its gradient with
//! respect to `B`), without densifying `A` or its transpose.

use rayon::prelude::*;

use super::csr::CsrTensor;
use super::value::{SparseValue, with_sparse_dtype};
use crate::tensor::Tensor;

/// Below this many multiply-adds a product runs on the calling thread.
const PARALLEL_WORK: usize = 1 << 15;

/// Aim for at least this many multiply-adds per rayon task.
const WORK_PER_TASK: usize = 1 << 13;

/// `sparse · dense` for `sparse` `[m, k]` and a dense 2-D `dense` `[k, n]`, giving a dense
/// `[m, n]` tensor of the same dtype (`torch.sparse.mm(sparse, dense)`, `sparse @ dense`).
///
/// Runs in `O(nnz · n + m · n)`, parallel over rows (rayon) above a small amount of work.
/// `dense` may be a strided view (it is made contiguous first). Panics naming the shapes when
/// `k` differs, and naming the dtypes unless both are the same float32/float64 dtype.
pub fn sparse_matmul(sparse: &CsrTensor, dense: &Tensor) -> Tensor {
    let [m, k] = sparse.shape();
    check_operand("sparse_matmul", sparse, dense, k);
    let n = dense.dims()[1];
    let dense = dense.contiguous();
    with_sparse_dtype!(sparse.dtype(), "sparse_matmul", T, {
        let b = dense
            .as_slice::<T>()
            .expect("contiguous after contiguous()");
        let values = sparse.values().as_slice::<T>().expect("contiguous values");
        let out = csr_times_dense::<T>(sparse, values, b, n);
        Tensor::from_vec(out, [m, n])
    })
}

/// `sparseᵀ · dense` for `sparse` `[m, k]` and a dense 2-D `dense` `[m, n]`, giving a dense
/// `[k, n]` tensor (`torch.sparse.mm(sparse.t(), dense)`), computed from the CSR layout without
/// building the transpose densely. This is the gradient of [`sparse_matmul`] with respect to
/// its dense operand.
///
/// Small or narrow (`n < 4`) products scatter row by row on the calling thread in
/// `O(nnz · n + k · n)`; larger ones first regroup the entries by column (a counting sort,
/// `O(nnz + k)` extra memory) and then fill output rows in parallel. Panics as
/// [`sparse_matmul`] does.
pub fn sparse_t_matmul(sparse: &CsrTensor, dense: &Tensor) -> Tensor {
    let [m, k] = sparse.shape();
    check_operand("sparse_t_matmul", sparse, dense, m);
    let n = dense.dims()[1];
    let dense = dense.contiguous();
    with_sparse_dtype!(sparse.dtype(), "sparse_t_matmul", T, {
        let g = dense
            .as_slice::<T>()
            .expect("contiguous after contiguous()");
        let values = sparse.values().as_slice::<T>().expect("contiguous values");
        let out = if n < 4 || sparse.nnz() * n < PARALLEL_WORK {
            scatter_transposed::<T>(sparse, values, g, n)
        } else {
            gather_transposed::<T>(sparse, values, g, n)
        };
        Tensor::from_vec(out, [k, n])
    })
}

impl CsrTensor {
    /// `self · dense` (`torch.sparse.mm(self, dense)`); see [`sparse_matmul`].
    pub fn matmul(&self, dense: &Tensor) -> Tensor {
        sparse_matmul(self, dense)
    }

    /// `selfᵀ · dense` without materialising the transpose; see [`sparse_t_matmul`].
    pub fn t_matmul(&self, dense: &Tensor) -> Tensor {
        sparse_t_matmul(self, dense)
    }
}

/// Panics unless `dense` is a 2-D tensor with `rows` rows and the sparse operand's dtype.
fn check_operand(op: &str, sparse: &CsrTensor, dense: &Tensor, rows: usize) {
    #[cfg(feature = "gpu")]
    crate::gpu::reject(dense, op);
    let [m, k] = sparse.shape();
    assert!(
        dense.dim() == 2 && dense.dims()[0] == rows,
        "{op}: sparse [{m}, {k}] and dense {:?} cannot be multiplied",
        dense.dims()
    );
    assert_eq!(
        sparse.dtype(),
        dense.dtype(),
        "{op}: sparse values are {} but the dense operand is {}",
        sparse.dtype(),
        dense.dtype()
    );
}

/// `A·B` into a new row-major `[m, n]` buffer.
fn csr_times_dense<T: SparseValue>(a: &CsrTensor, values: &[T], b: &[T], n: usize) -> Vec<T> {
    let m = a.rows();
    let mut out = vec![T::zero(); m * n];
    if n == 0 || m == 0 {
        return out;
    }
    let (crow, cols) = (a.crow_indices(), a.col_indices());
    let fill_row = |r: usize, out_row: &mut [T]| {
        let (start, end) = (crow[r], crow[r + 1]);
        if n == 1 {
            let mut acc = T::zero();
            for (&c, &v) in cols[start..end].iter().zip(&values[start..end]) {
                acc += v * b[c as usize];
            }
            out_row[0] = acc;
        } else {
            for (&c, &v) in cols[start..end].iter().zip(&values[start..end]) {
                let c = c as usize;
                axpy(v, &b[c * n..(c + 1) * n], out_row);
            }
        }
    };
    let work = a.nnz() * n + m * n;
    if work < PARALLEL_WORK {
        for (r, out_row) in out.chunks_mut(n).enumerate() {
            fill_row(r, out_row);
        }
    } else {
        let min_rows = (WORK_PER_TASK * m / work).max(1);
        out.par_chunks_mut(n)
            .with_min_len(min_rows)
            .enumerate()
            .for_each(|(r, out_row)| fill_row(r, out_row));
    }
    out
}

/// `Aᵀ·G` by scattering each stored entry's scaled row of `G` into its column's output row.
fn scatter_transposed<T: SparseValue>(a: &CsrTensor, values: &[T], g: &[T], n: usize) -> Vec<T> {
    let mut out = vec![T::zero(); a.cols() * n];
    if n == 0 {
        return out;
    }
    let (crow, cols) = (a.crow_indices(), a.col_indices());
    for r in 0..a.rows() {
        let g_row = &g[r * n..(r + 1) * n];
        let (start, end) = (crow[r], crow[r + 1]);
        for (&c, &v) in cols[start..end].iter().zip(&values[start..end]) {
            let c = c as usize;
            axpy(v, g_row, &mut out[c * n..(c + 1) * n]);
        }
    }
    out
}

/// `Aᵀ·G` by regrouping the entries by column (the CSR layout of `Aᵀ`: for each column, the
/// rows and values of its entries) and filling the output rows in parallel.
fn gather_transposed<T: SparseValue>(a: &CsrTensor, values: &[T], g: &[T], n: usize) -> Vec<T> {
    let k = a.cols();
    let (crow, cols) = (a.crow_indices(), a.col_indices());
    let mut starts = vec![0usize; k + 1];
    for &c in cols {
        starts[c as usize + 1] += 1;
    }
    for c in 0..k {
        starts[c + 1] += starts[c];
    }
    let mut next = starts.clone();
    let mut t_rows = vec![0usize; a.nnz()];
    let mut t_values = vec![T::zero(); a.nnz()];
    for r in 0..a.rows() {
        for i in crow[r]..crow[r + 1] {
            let slot = &mut next[cols[i] as usize];
            t_rows[*slot] = r;
            t_values[*slot] = values[i];
            *slot += 1;
        }
    }
    let mut out = vec![T::zero(); k * n];
    let work = a.nnz() * n + k * n;
    let min_rows = (WORK_PER_TASK * k / work.max(1)).max(1);
    out.par_chunks_mut(n)
        .with_min_len(min_rows)
        .enumerate()
        .for_each(|(c, out_row)| {
            for i in starts[c]..starts[c + 1] {
                let r = t_rows[i];
                axpy(t_values[i], &g[r * n..(r + 1) * n], out_row);
            }
        });
    out
}

/// `y += alpha · x` over equal-length slices.
#[inline]
fn axpy<T: SparseValue>(alpha: T, x: &[T], y: &mut [T]) {
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi += alpha * xi;
    }
}
