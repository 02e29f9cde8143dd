//! `index_select`: whole slices picked along one dim by a vector of indices.

use rayon::prelude::*;

use crate::cpu::buffer_pool;
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
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::index_select(self, d, index) {
            return out;
        }
        let idx = checked_indices(index, self.dims()[d], d, "index_select");
        with_dtype!(self.dtype(), T, { index_select_cpu::<T>(self, d, &idx) })
    }
}

/// CPU kernel: every output block `(o, j)` (o over the dims before `d`, j over `idx`) is the
/// input block at `(o, idx[j])`, copied with one `copy_from_slice` when the trailing dims are
/// contiguous.
fn index_select_cpu<T: Element>(t: &Tensor, d: usize, idx: &[i64]) -> Tensor {
    let (src, layout) = t.typed::<T>("index_select");
    if let Some(range) = layout.contiguous_range() {
        return contiguous_select(&src[range], layout.dims(), d, idx);
    }
    let (dims, strides) = (layout.dims(), layout.strides());
    let block = BlockCopy::new(&dims[d + 1..], &strides[d + 1..]);
    let inner = block.len();
    let n = idx.len();
    let mut out_dims = dims.to_vec();
    out_dims[d] = n;
    // Every element is overwritten, so a reused buffer need not be zeroed.
    let mut out = buffer_pool::scratch(out_dims.iter().product(), T::default());
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

/// Outputs below this many elements are copied on the calling thread, where a rayon hop would
/// cost more than the copy.
const SERIAL_COPY_ELEMENTS: usize = 1 << 16;

/// `index_select` of a contiguous tensor: each output block is one contiguous run of the input
/// (`inner` elements), appended in order without zero-filling the output first. Large outputs
/// are split by outer index and picked index across rayon threads.
fn contiguous_select<T: Element>(src: &[T], dims: &[usize], d: usize, idx: &[i64]) -> Tensor {
    let inner: usize = dims[d + 1..].iter().product();
    let outer: usize = dims[..d].iter().product();
    let (size, n) = (dims[d], idx.len());
    let mut out_dims = dims.to_vec();
    out_dims[d] = n;
    let total = outer * n * inner;
    let block = |r: usize| {
        let (o, j) = (r / n, r % n);
        &src[(o * size + idx[j] as usize) * inner..][..inner]
    };
    if total < SERIAL_COPY_ELEMENTS || inner == 0 {
        let mut out = buffer_pool::with_capacity(total);
        for r in 0..outer * n {
            out.extend_from_slice(block(r));
        }
        return Tensor::from_vec(out, out_dims);
    }
    // Every element is overwritten, so a reused buffer need not be zeroed.
    let mut out = buffer_pool::scratch(total, T::default());
    let per_task = (CHUNK_ELEMENTS / inner).max(1);
    out.par_chunks_mut(per_task * inner)
        .enumerate()
        .for_each(|(t, chunk)| {
            for (i, dst) in chunk.chunks_mut(inner).enumerate() {
                dst.copy_from_slice(block(t * per_task + i));
            }
        });
    Tensor::from_vec(out, out_dims)
}

/// Elements copied by one rayon task in a large [`contiguous_select`].
const CHUNK_ELEMENTS: usize = 1 << 14;

#[cfg(test)]
mod tests {
    use crate::{DType, Device, Generator, Tensor};

    /// The contiguous fast path (serial and parallel sizes) against the strided kernel, which
    /// a transposed copy of the same values takes.
    #[test]
    fn contiguous_path_matches_strided_path() {
        let mut g = Generator::new(3);
        for (rows, cols) in [(7, 5), (1100, 1000)] {
            let t = Tensor::randn_from([rows, cols], DType::F32, &Device::Cpu, &mut g);
            let strided = t.t().contiguous().t();
            assert!(!strided.is_contiguous());
            for dim in [0usize, 1] {
                let size = t.dims()[dim] as i64;
                let picks: Vec<i64> = (0..size).map(|i| (i * 7 + 3) % size).collect();
                let ids = Tensor::from_vec(picks, [size as usize]);
                let fast = t.index_select(dim, &ids);
                let slow = strided.index_select(dim, &ids);
                assert_eq!(fast.dims(), slow.dims());
                assert_eq!(
                    fast.to_vec::<f32>(),
                    slow.to_vec::<f32>(),
                    "{rows}x{cols} dim {dim}"
                );
            }
        }
    }
}
