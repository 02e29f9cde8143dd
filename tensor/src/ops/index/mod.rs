//! Indexing ops with PyTorch's semantics: `index_select`, `gather`, `scatter`/`scatter_add`,
//! `masked_fill`, `where`, `one_hot`, `triu`/`tril`, and the block-copy helpers they share with
//! `cat`.

mod embedding_backward;
mod gather;
mod mask;
pub(crate) mod one_hot;
mod scatter;
mod select;
mod triangle;
mod where_;

use std::ops::Range;

use rayon::prelude::*;

use crate::cpu::strided::{PARALLEL_THRESHOLD, for_each_row};
use crate::dtype::DType;
use crate::layout::coalesce;
use crate::tensor::Tensor;

/// Fills `out` row by row, `row_len` elements a row: calls `fill(rows, chunk)` where `chunk`
/// holds exactly the rows `rows`. Splits the rows across rayon tasks of ~8K elements when `out`
/// has at least [`PARALLEL_THRESHOLD`] elements, else runs on the calling thread.
pub(crate) fn fill_rows<T: Send>(
    out: &mut [T],
    row_len: usize,
    fill: impl Fn(Range<usize>, &mut [T]) + Sync,
) {
    if row_len == 0 || out.is_empty() {
        return;
    }
    let rows = out.len() / row_len;
    if out.len() < PARALLEL_THRESHOLD {
        fill(0..rows, out);
        return;
    }
    let per_task = (8192 / row_len).max(1);
    out.par_chunks_mut(per_task * row_len)
        .enumerate()
        .for_each(|(t, chunk)| {
            let first = t * per_task;
            fill(first..first + chunk.len() / row_len, chunk);
        });
}

/// Copies the elements of one strided block (fixed dims and strides, varying base offset) into
/// a contiguous destination in row-major order. Built once per op, used once per block; a block
/// whose dims are contiguous in storage is a single `copy_from_slice`.
pub(crate) struct BlockCopy {
    outer: Vec<usize>,
    outer_strides: Vec<usize>,
    row_len: usize,
    row_stride: usize,
}

impl BlockCopy {
    /// A copier for blocks of shape `dims` with element strides `strides`.
    pub(crate) fn new(dims: &[usize], strides: &[usize]) -> BlockCopy {
        let (mut outer, mut outer_strides) = match coalesce(dims, &[strides]) {
            Some((d, mut s)) => (d, s.remove(0)),
            None => (vec![1], vec![1]),
        };
        let row_len = outer.pop().expect("coalesce keeps one dim");
        let row_stride = outer_strides.pop().expect("coalesce keeps one dim");
        BlockCopy {
            outer,
            outer_strides,
            row_len,
            row_stride,
        }
    }

    /// Number of elements in one block.
    pub(crate) fn len(&self) -> usize {
        self.outer.iter().product::<usize>() * self.row_len
    }

    /// Copies the block starting at storage index `base` of `src` into `dst` (`dst.len()` must
    /// equal [`BlockCopy::len`]).
    pub(crate) fn copy<T: Copy>(&self, src: &[T], base: usize, dst: &mut [T]) {
        let (n, stride) = (self.row_len, self.row_stride);
        if self.outer.is_empty() && stride == 1 {
            dst.copy_from_slice(&src[base..base + n]);
            return;
        }
        let rows = dst.len() / n.max(1);
        for_each_row(
            &self.outer,
            [self.outer_strides.as_slice()],
            [base],
            0..rows,
            |r, [o]| {
                let row = &mut dst[r * n..][..n];
                if stride == 1 {
                    row.copy_from_slice(&src[o..o + n]);
                } else {
                    for (j, d) in row.iter_mut().enumerate() {
                        *d = src[o + j * stride];
                    }
                }
            },
        );
    }
}

/// The values of an int64 index tensor in row-major order, checked to lie in `[0, size)`.
/// Panics naming `op`, the offending value, `dim` and `size` otherwise (PyTorch rejects negative
/// indices in these ops too).
pub(crate) fn checked_indices(index: &Tensor, size: usize, dim: usize, op: &str) -> Vec<i64> {
    check_index_dtype(index, op);
    let values = index.to_vec::<i64>();
    if let Some(&bad) = values.iter().find(|&&v| v < 0 || v as u64 >= size as u64) {
        panic!("{op}: index {bad} is out of bounds for dimension {dim} with size {size}");
    }
    values
}

/// Panics naming `op` unless `index` holds int64 values.
pub(crate) fn check_index_dtype(index: &Tensor, op: &str) {
    assert_eq!(
        index.dtype(),
        DType::I64,
        "{op}: expected an int64 index tensor, got {} (shape {})",
        index.dtype(),
        index.shape()
    );
}

/// Panics naming `op` unless every tensor lives on the device of the first.
pub(crate) fn check_same_device(op: &str, tensors: &[&Tensor]) {
    if let Some((first, rest)) = tensors.split_first() {
        for t in rest {
            assert_eq!(
                first.device(),
                t.device(),
                "{op}: expected all tensors on the same device, got {} and {}",
                first.device(),
                t.device()
            );
        }
    }
}
