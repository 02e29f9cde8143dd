//! Joining tensors: `cat` along an existing dim and `stack` along a new one.

use std::borrow::Borrow;

use rayon::prelude::*;

use crate::cpu::buffer_pool;
use crate::cpu::strided::PARALLEL_THRESHOLD;
use crate::dtype::{DType, Element};
use crate::ops::index::check_same_device;
use crate::shape::Dim;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

/// Output elements per rayon task when a large `cat` is split across threads.
const CAT_TASK_LEN: usize = 1 << 16;

impl Tensor {
    /// Concatenates tensors along `dim` (`torch.cat(tensors, dim)`); takes `&[Tensor]` or
    /// `&[&Tensor]`.
    ///
    /// All tensors need the same number of dims and equal sizes except in `dim`; the result has
    /// their promoted dtype (`torch.result_type`). As in PyTorch, 1-D tensors with zero elements
    /// are skipped for the shape checks (they still take part in dtype promotion), and a
    /// negative `dim` counts from the end of the first tensor that is not skipped. Panics on an
    /// empty list, a 0-d tensor, or mismatched ranks or sizes, naming the shapes.
    pub fn cat<B: Borrow<Tensor>>(tensors: &[B], dim: impl Dim) -> Tensor {
        let all: Vec<&Tensor> = tensors.iter().map(Borrow::borrow).collect();
        assert!(!all.is_empty(), "cat: expected a non-empty list of tensors");
        check_same_device("cat", &all);
        if let Some(pos) = all.iter().position(|t| t.dim() == 0) {
            panic!("cat: zero-dimensional tensor (at position {pos}) cannot be concatenated");
        }
        let dtype = all
            .iter()
            .skip(1)
            .fold(all[0].dtype(), |d, t| DType::promote(d, t.dtype()));
        let kept: Vec<(usize, &Tensor)> = all
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, t)| !(t.dim() == 1 && t.numel() == 0))
            .collect();
        let Some(&(first_pos, first)) = kept.first() else {
            return Tensor::zeros_with([0], dtype, &all[0].device());
        };
        let d = dim.resolve(first.dim(), "cat");
        let mut out_dims = first.dims().to_vec();
        out_dims[d] = 0;
        for &(pos, t) in &kept {
            assert_eq!(
                t.dim(),
                first.dim(),
                "cat: tensors must have the same number of dimensions: got {} and {} (shapes {} at position {first_pos} and {} at position {pos})",
                first.dim(),
                t.dim(),
                first.shape(),
                t.shape()
            );
            for (k, (&a, &b)) in first.dims().iter().zip(t.dims()).enumerate() {
                assert!(
                    k == d || a == b,
                    "cat: sizes of tensors must match except in dimension {d}: expected size {a} but got size {b} for tensor number {pos} in the list (shapes {} and {})",
                    first.shape(),
                    t.shape()
                );
            }
            out_dims[d] += t.dims()[d];
        }
        #[cfg(feature = "gpu")]
        {
            let views: Vec<&Tensor> = kept.iter().map(|&(_, t)| t).collect();
            if let Some(out) = crate::gpu::cat(&views, d, dtype, &out_dims) {
                return out;
            }
        }
        let parts: Vec<Tensor> = kept
            .iter()
            .map(|(_, t)| t.to_dtype(dtype).contiguous())
            .collect();
        let outer: usize = out_dims[..d].iter().product();
        with_dtype!(dtype, T, { cat_cpu::<T>(&parts, outer, out_dims) })
    }

    /// Joins equally shaped tensors along a new dim `dim` (`torch.stack(tensors, dim)`); takes
    /// `&[Tensor]` or `&[&Tensor]`. `dim` may be `dim()` (append) or negative. The result has
    /// the promoted dtype. Panics on an empty list or different shapes, naming them.
    pub fn stack<B: Borrow<Tensor>>(tensors: &[B], dim: impl Dim) -> Tensor {
        let all: Vec<&Tensor> = tensors.iter().map(Borrow::borrow).collect();
        assert!(
            !all.is_empty(),
            "stack: expected a non-empty list of tensors"
        );
        for (i, t) in all.iter().enumerate().skip(1) {
            assert!(
                t.shape() == all[0].shape(),
                "stack: expects each tensor to be equal size, but got {} at entry 0 and {} at entry {i}",
                all[0].shape(),
                t.shape()
            );
        }
        let d = dim.resolve(all[0].dim() + 1, "stack");
        let expanded: Vec<Tensor> = all.iter().map(|t| t.unsqueeze(d)).collect();
        Tensor::cat(&expanded, d)
    }
}

/// CPU kernel: output row `o` (over the dims before `dim`) is the concatenation of each part's
/// row `o`. The output is filled in fixed-size pieces, each a run of `copy_from_slice` calls, so
/// large outputs split evenly across threads whatever `dim` is.
fn cat_cpu<T: Element>(parts: &[Tensor], outer: usize, out_dims: Vec<usize>) -> Tensor {
    let slices: Vec<&[T]> = parts
        .iter()
        .map(|p| {
            let (s, layout) = p.typed::<T>("cat");
            &s[layout.contiguous_range().expect("contiguous part")]
        })
        .collect();
    // Start of each part's block within one output row, and the row length.
    let mut starts = Vec::with_capacity(slices.len() + 1);
    starts.push(0);
    for s in &slices {
        starts.push(starts.last().copied().unwrap_or(0) + s.len() / outer.max(1));
    }
    let row_len = *starts.last().expect("at least one start");
    // Every element is overwritten, so a reused buffer need not be zeroed.
    let mut out = buffer_pool::scratch(outer * row_len, T::default());
    let fill = |mut pos: usize, chunk: &mut [T]| {
        let mut done = 0;
        while done < chunk.len() {
            let (o, within) = (pos / row_len, pos % row_len);
            let part = starts.partition_point(|&s| s <= within) - 1;
            let block = starts[part + 1] - starts[part];
            let k = within - starts[part];
            let take = (block - k).min(chunk.len() - done);
            chunk[done..done + take].copy_from_slice(&slices[part][o * block + k..][..take]);
            done += take;
            pos += take;
        }
    };
    if out.len() >= PARALLEL_THRESHOLD {
        out.par_chunks_mut(CAT_TASK_LEN)
            .enumerate()
            .for_each(|(t, chunk)| fill(t * CAT_TASK_LEN, chunk));
    } else {
        fill(0, &mut out);
    }
    Tensor::from_vec(out, out_dims)
}
