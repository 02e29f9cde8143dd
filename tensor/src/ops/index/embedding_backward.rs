//! `embedding_dense_backward`: the weight gradient of an embedding lookup, summed straight
//! into a zeroed table.

use rayon::prelude::*;

use crate::cpu::buffer_pool;
use crate::dtype::Element;
use crate::ops::index::checked_indices;
use crate::ops::index::scatter::Accumulate;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// Gradient elements below which the rows are summed on the calling thread.
const SERIAL_ELEMENTS: usize = 1 << 16;

impl Tensor {
    /// The gradient of an embedding table of `num_weights` rows, given `self`, the gradient of
    /// the lookup `weight[indices]` (shape `[*indices.shape, dim]`): row `i` of the result is
    /// the sum of the gradient rows whose index is `i`, in their order, and zero for rows no
    /// index names or for `padding_idx` (`torch.ops.aten.embedding_dense_backward(grad,
    /// indices, num_weights, padding_idx, scale_grad_by_freq=False)`).
    ///
    /// The same values as `zeros([num_weights, dim]).scatter_add(0, index, grad)` with the
    /// index broadcast over the width, without reading a zero table. Panics when `indices` is
    /// not int64, when an index is outside `[0, num_weights)`, or when `self`'s shape is not
    /// `indices`' shape plus one trailing dim.
    pub fn embedding_dense_backward(
        &self,
        indices: &Tensor,
        num_weights: usize,
        padding_idx: Option<usize>,
    ) -> Tensor {
        let op = "embedding_dense_backward";
        let width = self.dims().last().copied().unwrap_or(0);
        assert!(
            self.dim() == indices.dim() + 1 && self.dims()[..indices.dim()] == *indices.dims(),
            "{op}: grad of shape {} does not match indices of shape {} plus one dim",
            self.shape(),
            indices.shape()
        );
        let n = indices.numel();
        let grad = self.reshape(&[n as isize, width as isize]);
        if !self.device().is_cpu() {
            // Devices have no dedicated kernel: the scatter-add it is defined by.
            let index = indices
                .reshape(&[n as isize, 1])
                .broadcast_to([n, width])
                .contiguous();
            let mut rows = grad;
            if let Some(pad) = padding_idx {
                let is_pad = indices.reshape(&[n as isize, 1]).eq_scalar(pad as i64);
                rows = rows.masked_fill(&is_pad, 0.0);
            }
            return Tensor::zeros_with([num_weights, width], self.dtype(), &self.device())
                .scatter_add(0usize, &index, &rows);
        }
        let ids = checked_indices(&indices.reshape(&[-1]), num_weights, 0, op);
        with_dtype!(self.dtype(), T, {
            dense_backward_cpu::<T>(&grad, &ids, num_weights, width, padding_idx)
        })
    }
}

/// Sums the rows of `grad` (`[ids.len(), width]`) into a zeroed `[num_weights, width]` table.
/// Large gradients split the table's rows into one range per thread; every task visits all
/// ids and adds those in its range, so each row's sum keeps the ids' order (the serial result,
/// bit for bit) and no two tasks write the same row.
fn dense_backward_cpu<T: Element + Accumulate>(
    grad: &Tensor,
    ids: &[i64],
    num_weights: usize,
    width: usize,
    padding_idx: Option<usize>,
) -> Tensor {
    let grad = grad.contiguous();
    let (values, layout) = grad.typed::<T>("embedding_dense_backward");
    let values = &values[layout.contiguous_range().expect("contiguous")];
    let mut out = buffer_pool::filled(num_weights * width, T::default());
    let add_rows = |rows: std::ops::Range<usize>, table: &mut [T]| {
        for (k, &id) in ids.iter().enumerate() {
            let id = id as usize;
            if !rows.contains(&id) || padding_idx == Some(id) {
                continue;
            }
            let dst = &mut table[(id - rows.start) * width..][..width];
            for (d, &g) in dst.iter_mut().zip(&values[k * width..][..width]) {
                *d = d.accumulate(g);
            }
        }
    };
    if width == 0 || ids.len() * width < SERIAL_ELEMENTS {
        add_rows(0..num_weights, &mut out);
    } else {
        let rows_per_task = num_weights.div_ceil(rayon::current_num_threads());
        out.par_chunks_mut(rows_per_task * width)
            .enumerate()
            .for_each(|(t, table)| {
                let first = t * rows_per_task;
                add_rows(first..first + table.len() / width, table);
            });
    }
    Tensor::from_vec(out, [num_weights, width])
}
