//! `triu` / `tril`: the upper or lower triangle of (batches of) matrices.

use crate::dtype::Element;
use crate::ops::index::fill_rows;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// The upper triangle of the last two dims, zeros below (`torch.triu(input, diagonal)`):
    /// element `(i, j)` is kept when `j - i >= diagonal`. `diagonal = 0` keeps the main
    /// diagonal, positive values move the boundary up-right. Leading dims are batch dims; the
    /// dtype is kept. Panics for tensors with fewer than 2 dims.
    pub fn triu(&self, diagonal: i64) -> Tensor {
        triangle(self, diagonal, true)
    }

    /// The lower triangle of the last two dims, zeros above (`torch.tril(input, diagonal)`):
    /// element `(i, j)` is kept when `j - i <= diagonal`. Leading dims are batch dims; the dtype
    /// is kept. Panics for tensors with fewer than 2 dims.
    pub fn tril(&self, diagonal: i64) -> Tensor {
        triangle(self, diagonal, false)
    }
}

fn triangle(t: &Tensor, diagonal: i64, upper: bool) -> Tensor {
    let op = if upper { "triu" } else { "tril" };
    assert!(
        t.dim() >= 2,
        "{op}: input tensor must have at least 2 dimensions, got shape {}",
        t.shape()
    );
    #[cfg(feature = "gpu")]
    if let Some(out) = crate::gpu::triangle(t, diagonal, upper) {
        return out;
    }
    with_dtype!(t.dtype(), T, {
        triangle_cpu::<T>(&t.contiguous(), diagonal, upper, op)
    })
}

/// CPU kernel over rows of the last dim: row `r` is matrix row `i = r % rows`; the kept columns
/// form one contiguous range copied with `copy_from_slice`, the rest stays zero.
fn triangle_cpu<T: Element>(t: &Tensor, diagonal: i64, upper: bool, op: &str) -> Tensor {
    let (src, layout) = t.typed::<T>(op);
    let src = &src[layout.contiguous_range().expect("contiguous input")];
    let dims = t.dims();
    let (rows, cols) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    let mut out = vec![T::default(); src.len()];
    fill_rows(&mut out, cols, |range, chunk| {
        let first = range.start;
        for r in range {
            let i = (r % rows) as i64;
            // Columns kept: [boundary, cols) for triu, [0, boundary) for tril.
            let edge = i
                .saturating_add(diagonal)
                .saturating_add(if upper { 0 } else { 1 });
            let boundary = edge.clamp(0, cols as i64) as usize;
            let keep = if upper { boundary..cols } else { 0..boundary };
            let dst = &mut chunk[(r - first) * cols..][..cols];
            dst[keep.clone()].copy_from_slice(&src[r * cols..][keep]);
        }
    });
    Tensor::from_vec(out, dims.to_vec())
}
