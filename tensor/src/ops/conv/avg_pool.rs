//! 2-D average pooling (`F.avg_pool2d`) and its backward pass.

use num_traits::Float;

use super::compute_dtype;
use super::geometry::{Window, pool_window, pooled_shape};
use super::pool_options::Pool2dOptions;
use crate::dtype::DType;
use crate::ops::index::fill_rows;
use crate::tensor::Tensor;

/// The input rows/columns `[start, end)` an output position averages along `axis`, and the
/// divisor PyTorch uses for it (`(end − start)` before clipping to the input when
/// `count_include_pad`, after clipping otherwise; the window is always clipped to the padded
/// input).
fn span(w: &Window, axis: usize, o: usize, count_include_pad: bool) -> (usize, usize, usize) {
    let (size, pad) = (w.input[axis] as isize, w.padding[axis] as isize);
    let start = (o * w.stride[axis]) as isize - pad;
    let end = (start + w.kernel[axis] as isize).min(size + pad);
    let padded_len = (end - start) as usize;
    let (start, end) = (start.max(0) as usize, end.min(size).max(0) as usize);
    let end = end.max(start);
    let count = if count_include_pad {
        padded_len
    } else {
        end - start
    };
    (start, end, count)
}

/// Visits every output position of one plane with its input window and divisor.
fn for_each_window(
    w: &Window,
    count_include_pad: bool,
    mut f: impl FnMut(usize, (usize, usize), (usize, usize), usize),
) {
    for y in 0..w.output[0] {
        let (y0, y1, ny) = span(w, 0, y, count_include_pad);
        for x in 0..w.output[1] {
            let (x0, x1, nx) = span(w, 1, x, count_include_pad);
            f(y * w.output[1] + x, (y0, y1), (x0, x1), ny * nx);
        }
    }
}

/// Window means of every plane of `x` (`[planes, H, W]`); an empty window gives 0.
fn avg_pool<T: Float + Send + Sync>(x: &[T], w: &Window, include_pad: bool) -> Vec<T> {
    let (l, in_len, width) = (w.out_len(), w.in_len(), w.input[1]);
    let mut out = vec![T::zero(); w.batch * l];
    fill_rows(&mut out, l, |planes, chunk| {
        for (p, dst) in planes.zip(chunk.chunks_mut(l)) {
            let plane = &x[p * in_len..][..in_len];
            for_each_window(w, include_pad, |pos, (y0, y1), (x0, x1), n| {
                if y0 >= y1 || x0 >= x1 {
                    return;
                }
                let mut sum = T::zero();
                for iy in y0..y1 {
                    for &v in &plane[iy * width + x0..iy * width + x1] {
                        sum = sum + v;
                    }
                }
                dst[pos] = sum / T::from(n).unwrap_or_else(T::one);
            });
        }
    });
    out
}

/// Spreads each output gradient evenly (divided by the window's divisor) over its window.
fn avg_unpool<T: Float + Send + Sync>(g: &[T], w: &Window, include_pad: bool) -> Vec<T> {
    let (l, in_len, width) = (w.out_len(), w.in_len(), w.input[1]);
    let mut out = vec![T::zero(); w.batch * in_len];
    fill_rows(&mut out, in_len, |planes, chunk| {
        for (p, dst) in planes.zip(chunk.chunks_mut(in_len)) {
            let gs = &g[p * l..][..l];
            for_each_window(w, include_pad, |pos, (y0, y1), (x0, x1), n| {
                let share = gs[pos] / T::from(n).unwrap_or_else(T::one);
                for iy in y0..y1 {
                    for d in &mut dst[iy * width + x0..iy * width + x1.max(x0)] {
                        *d = *d + share;
                    }
                }
            });
        }
    });
    out
}

/// Checks the options average pooling does not support.
fn avg_window(op: &str, input: &Tensor, options: &Pool2dOptions) -> Window {
    assert!(
        options.dilation == [1, 1],
        "{op}: average pooling has no dilation, got {:?}",
        options.dilation
    );
    pool_window(op, input, options)
}

impl Tensor {
    /// 2-D average pooling of a `[N, C, H, W]` or `[C, H, W]` input (`F.avg_pool2d`), with
    /// PyTorch's divisor rules for `count_include_pad` and `ceil_mode`.
    pub fn avg_pool2d(&self, options: &Pool2dOptions) -> Tensor {
        let win = avg_window("avg_pool2d", self, options);
        let shape = pooled_shape(self.dims(), &win);
        let dtype = compute_dtype(self, "avg_pool2d");
        let pad = options.count_include_pad;
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::avg_pool2d(self, &win, pad, &shape) {
            return out;
        }
        let x = self.to_dtype(dtype).contiguous();
        let out = match dtype {
            DType::F64 => {
                Tensor::from_vec(avg_pool(x.typed::<f64>("avg_pool2d").0, &win, pad), shape)
            }
            _ => Tensor::from_vec(avg_pool(x.typed::<f32>("avg_pool2d").0, &win, pad), shape),
        };
        out.to_dtype(self.dtype())
    }

    /// The backward pass of [`Tensor::avg_pool2d`] at input `self` for output gradient
    /// `grad_output` (`aten::avg_pool2d_backward`).
    pub fn avg_pool2d_backward(&self, grad_output: &Tensor, options: &Pool2dOptions) -> Tensor {
        let win = avg_window("avg_pool2d_backward", self, options);
        let shape = pooled_shape(self.dims(), &win);
        assert!(
            grad_output.dims() == shape.as_slice(),
            "avg_pool2d_backward: expected grad_output of shape {shape:?}, got {}",
            grad_output.shape()
        );
        let dtype = compute_dtype(self, "avg_pool2d_backward");
        let pad = options.count_include_pad;
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::avg_pool2d_backward(self, grad_output, &win, pad) {
            return out;
        }
        let g = grad_output.to_dtype(dtype).contiguous();
        let dims = self.dims().to_vec();
        let out = match dtype {
            DType::F64 => {
                Tensor::from_vec(avg_unpool(g.typed::<f64>("avg_pool2d").0, &win, pad), dims)
            }
            _ => Tensor::from_vec(avg_unpool(g.typed::<f32>("avg_pool2d").0, &win, pad), dims),
        };
        out.to_dtype(self.dtype())
    }
}
