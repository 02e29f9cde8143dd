//! `im2col` / `col2im`: unrolling convolution windows into matrices and folding them back, in
//! PyTorch's `F.unfold` / `F.fold` layout (`[N, C·kh·kw, OH·OW]`).

use num_traits::Float;

use super::geometry::Window;
use crate::cpu::buffer_pool;
use crate::ops::index::fill_rows;

/// Unrolls `x` (`[N, C, H, W]`, row-major) into `[N, C·kh·kw, OH·OW]`: row
/// `(c·kh + i)·kw + j` of image `n` holds channel `c` read through kernel tap `(i, j)` at every
/// output position, zeros where the tap falls in the padding.
pub(crate) fn im2col<T: Float + Send + Sync + 'static>(x: &[T], w: &Window) -> Vec<T> {
    let [kh, kw] = w.kernel;
    let (l, in_len, width, ow) = (w.out_len(), w.in_len(), w.input[1], w.output[1]);
    let rows = w.channels * kh * kw;
    let mut out = buffer_pool::filled(w.batch * rows * l, T::zero());
    fill_rows(&mut out, l, |range, chunk| {
        for (r, dst) in range.zip(chunk.chunks_mut(l)) {
            let (b, row) = (r / rows, r % rows);
            let (c, i, j) = (row / (kh * kw), (row / kw) % kh, row % kw);
            let plane = &x[(b * w.channels + c) * in_len..][..in_len];
            let xs = w.valid(1, j);
            if xs.is_empty() {
                continue;
            }
            // Input column of output column xs.start; later ones step by the stride.
            let first = xs.start * w.stride[1] + j * w.dilation[1] - w.padding[1];
            for y in w.valid(0, i) {
                let iy = y * w.stride[0] + i * w.dilation[0] - w.padding[0];
                let src = &plane[iy * width..][..width];
                let dst = &mut dst[y * ow + xs.start..y * ow + xs.end];
                if w.stride[1] == 1 {
                    dst.copy_from_slice(&src[first..first + dst.len()]);
                } else {
                    for (d, &v) in dst.iter_mut().zip(src[first..].iter().step_by(w.stride[1])) {
                        *d = v;
                    }
                }
            }
        }
    });
    out
}

/// The adjoint of [`im2col`]: adds every entry of `cols` (`[N, C·kh·kw, OH·OW]`) back onto the
/// input position it was read from, giving `[N, C, H, W]`.
pub(crate) fn col2im<T: Float + Send + Sync + 'static>(cols: &[T], w: &Window) -> Vec<T> {
    let [kh, kw] = w.kernel;
    let (l, in_len, width, ow) = (w.out_len(), w.in_len(), w.input[1], w.output[1]);
    let mut out = buffer_pool::filled(w.batch * w.channels * in_len, T::zero());
    fill_rows(&mut out, in_len, |planes, chunk| {
        for (p, dst) in planes.zip(chunk.chunks_mut(in_len)) {
            // plane p = (n, c); its rows in `cols` start at row c·kh·kw of image n
            let first_row = p * kh * kw;
            for i in 0..kh {
                for j in 0..kw {
                    let src = &cols[(first_row + i * kw + j) * l..][..l];
                    let xs = w.valid(1, j);
                    if xs.is_empty() {
                        continue;
                    }
                    let first = xs.start * w.stride[1] + j * w.dilation[1] - w.padding[1];
                    for y in w.valid(0, i) {
                        let iy = y * w.stride[0] + i * w.dilation[0] - w.padding[0];
                        let line = &mut dst[iy * width..][..width];
                        let vals = &src[y * ow + xs.start..y * ow + xs.end];
                        for (d, &v) in line[first..].iter_mut().step_by(w.stride[1]).zip(vals) {
                            *d = *d + v;
                        }
                    }
                }
            }
        }
    });
    out
}
