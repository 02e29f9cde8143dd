//! 2-D max pooling (`F.max_pool2d`) with the argmax indices its backward pass uses.

use num_traits::Float;

use super::compute_dtype;
use super::geometry::{Window, pool_window, pooled_shape};
use super::pool_options::Pool2dOptions;
use crate::dtype::DType;
use crate::ops::index::fill_rows;
use crate::tensor::Tensor;

/// Maximum of every window of every plane of `x` (`[planes, H, W]`), with the flat `h·W + w`
/// index of the winner inside its plane. As PyTorch, a NaN wins over any number. A window whose
/// dilated taps all fall in the padding gives `-inf` and index -1 (no gradient).
fn max_pool<T: Float + Send + Sync>(x: &[T], w: &Window) -> (Vec<T>, Vec<i64>) {
    let (l, in_len, width) = (w.out_len(), w.in_len(), w.input[1]);
    let mut out = vec![(T::zero(), 0i64); w.batch * l];
    fill_rows(&mut out, l, |planes, chunk| {
        for (p, dst) in planes.zip(chunk.chunks_mut(l)) {
            let plane = &x[p * in_len..][..in_len];
            for (pos, d) in dst.iter_mut().enumerate() {
                let (y, xo) = (pos / w.output[1], pos % w.output[1]);
                let mut best = (T::neg_infinity(), -1i64);
                for i in 0..w.kernel[0] {
                    let Some(iy) = w.source(0, y, i) else {
                        continue;
                    };
                    for j in 0..w.kernel[1] {
                        let Some(ix) = w.source(1, xo, j) else {
                            continue;
                        };
                        let v = plane[iy * width + ix];
                        if best.1 < 0 || v > best.0 || v.is_nan() {
                            best = (v, (iy * width + ix) as i64);
                        }
                    }
                }
                *d = best;
            }
        }
    });
    out.into_iter().unzip()
}

/// Adds each output gradient onto the input element its window picked (none for index -1).
fn unpool<T: Float + Send + Sync>(g: &[T], indices: &[i64], w: &Window) -> Vec<T> {
    let (l, in_len) = (w.out_len(), w.in_len());
    let mut out = vec![T::zero(); w.batch * in_len];
    fill_rows(&mut out, in_len, |planes, chunk| {
        for (p, dst) in planes.zip(chunk.chunks_mut(in_len)) {
            let (gs, is) = (&g[p * l..][..l], &indices[p * l..][..l]);
            for (&v, &i) in gs.iter().zip(is) {
                if let Ok(i) = usize::try_from(i) {
                    dst[i] = dst[i] + v;
                }
            }
        }
    });
    out
}

impl Tensor {
    /// 2-D max pooling of a `[N, C, H, W]` or `[C, H, W]` input, returning the maxima and, for
    /// each, the flat index `h·W + w` of the winner inside its `H×W` plane
    /// (`F.max_pool2d(..., return_indices=True)`). Padding counts as `-inf`.
    pub fn max_pool2d_with_indices(&self, options: &Pool2dOptions) -> (Tensor, Tensor) {
        let win = pool_window("max_pool2d", self, options);
        let shape = pooled_shape(self.dims(), &win);
        let dtype = compute_dtype(self, "max_pool2d");
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::max_pool2d(self, &win, &shape) {
            return out;
        }
        let x = self.to_dtype(dtype).contiguous();
        let (values, indices) = match dtype {
            DType::F64 => {
                let (v, i) = max_pool(x.typed::<f64>("max_pool2d").0, &win);
                (Tensor::from_vec(v, shape.clone()), i)
            }
            _ => {
                let (v, i) = max_pool(x.typed::<f32>("max_pool2d").0, &win);
                (Tensor::from_vec(v, shape.clone()), i)
            }
        };
        (
            values.to_dtype(self.dtype()),
            Tensor::from_vec(indices, shape),
        )
    }

    /// 2-D max pooling (`F.max_pool2d`); see [`Tensor::max_pool2d_with_indices`].
    pub fn max_pool2d(&self, options: &Pool2dOptions) -> Tensor {
        self.max_pool2d_with_indices(options).0
    }

    /// The backward pass of max pooling at input `self`: `grad_output` routed to the elements
    /// `indices` (from [`Tensor::max_pool2d_with_indices`]) picked, summed where windows
    /// overlap (`aten::max_pool2d_with_indices_backward`); index -1 (an all-padding window)
    /// routes nowhere.
    pub fn max_pool2d_backward(&self, grad_output: &Tensor, indices: &Tensor) -> Tensor {
        let dims = self.dims();
        assert!(
            dims.len() >= 2 && grad_output.dims() == indices.dims(),
            "max_pool2d_backward: grad_output {} and indices {} must have the same shape",
            grad_output.shape(),
            indices.shape()
        );
        let out_dims = grad_output.dims();
        let lead = &dims[..dims.len() - 2];
        assert!(
            out_dims.len() == dims.len() && &out_dims[..lead.len()] == lead,
            "max_pool2d_backward: grad_output {} does not match input {}",
            grad_output.shape(),
            self.shape()
        );
        let win = Window {
            batch: lead.iter().product(),
            channels: 1,
            input: [dims[dims.len() - 2], dims[dims.len() - 1]],
            output: [out_dims[dims.len() - 2], out_dims[dims.len() - 1]],
            kernel: [1, 1],
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
        };
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::max_pool2d_backward(self, grad_output, indices, &win) {
            return out;
        }
        let idx = indices.to_dtype(DType::I64).contiguous();
        let idx = idx.typed::<i64>("max_pool2d_backward").0;
        assert!(
            idx.iter().all(|&i| i >= -1 && i < win.in_len() as i64),
            "max_pool2d_backward: index out of range for a {}x{} plane",
            win.input[0],
            win.input[1]
        );
        let dtype = compute_dtype(self, "max_pool2d_backward");
        let g = grad_output.to_dtype(dtype).contiguous();
        let out = match dtype {
            DType::F64 => Tensor::from_vec(
                unpool(g.typed::<f64>("max_pool2d").0, idx, &win),
                dims.to_vec(),
            ),
            _ => Tensor::from_vec(
                unpool(g.typed::<f32>("max_pool2d").0, idx, &win),
                dims.to_vec(),
            ),
        };
        out.to_dtype(self.dtype())
    }
}
