//! Softmax / log-softmax on the GPU (`kiln_gpu_kernels::softmax`, one workgroup per row) and
//! their backward passes composed from GPU elementwise ops and sums.

use kiln_gpu_kernels::{RowsLayout, StridedLayout, contiguous as copy, softmax as kernel};

use crate::dtype::DType;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::on_gpu;
use crate::gpu::storage::ok;
use crate::shape::Dim;
use crate::tensor::Tensor;

/// `softmax(dim)` or `log_softmax(dim)` when `log`. The kernel works on the last dim; any other
/// dim is moved last by a strided copy and the result moved back.
pub(crate) fn softmax(t: &Tensor, dim: impl Dim, log: bool) -> Option<Tensor> {
    let op = if log { "log_softmax" } else { "softmax" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    let d = dim.resolve(t.dim(), op);
    let dtype = t.dtype();
    assert!(
        dtype.is_float(),
        "{op}: not implemented for {dtype} tensors (expects a floating-point dtype)"
    );
    let (gpu, x, layout) = f32_operand(t);
    let rank = layout.shape.len();
    // The softmax dim last: [other dims.., d].
    let moved = if rank == 0 {
        StridedLayout::new(&[1], &[1], layout.offset)
    } else {
        let mut order: Vec<usize> = (0..rank).filter(|&i| i != d).collect();
        order.push(d);
        StridedLayout::new(
            &order.iter().map(|&i| layout.shape[i]).collect::<Vec<_>>(),
            &order.iter().map(|&i| layout.strides[i]).collect::<Vec<_>>(),
            layout.offset,
        )
    };
    let cols = *moved.shape.last().expect("rank >= 1");
    let rows = moved.numel().checked_div(cols).unwrap_or(0);
    let (x, offset) = if moved.is_contiguous() {
        (x, moved.offset)
    } else {
        (ok(op, copy(&gpu.ctx, &x, &moved)), 0)
    };
    let rows_layout = RowsLayout {
        rows,
        cols,
        offset,
        row_stride: cols,
    };
    let out = ok(op, kernel(&gpu.ctx, &x, &rows_layout, log));
    let out = from_f32(&gpu, out, dtype, moved.shape.clone());
    if rank == 0 || d == rank - 1 {
        return Some(out.reshape_to(t.shape().clone()));
    }
    // [others.., d] back to the input's dim order.
    Some(out.movedim_last_to(d).contiguous())
}

/// `softmax_backward` (`y·(g − Σ g·y)`) or `log_softmax_backward` (`g − e^y·Σ g`) along `dim`,
/// from GPU elementwise ops and a sum.
pub(crate) fn softmax_backward(
    y: &Tensor,
    grad: &Tensor,
    dim: impl Dim,
    log: bool,
) -> Option<Tensor> {
    let op = if log {
        "log_softmax_backward"
    } else {
        "softmax_backward"
    };
    if !on_gpu(op, &[y, grad]) {
        return None;
    }
    assert_eq!(
        y.dims(),
        grad.dims(),
        "{op}: output {} and gradient {} differ in shape",
        y.shape(),
        grad.shape()
    );
    let dtype = y.dtype();
    assert!(
        dtype.is_float(),
        "{op}: not implemented for {dtype} tensors"
    );
    let d = dim.resolve(y.dim(), op) as i64;
    let dims: &[i64] = if y.dim() == 0 {
        &[]
    } else {
        std::slice::from_ref(&d)
    };
    let (y32, g32) = (y.to_dtype(DType::F32), grad.to_dtype(DType::F32));
    let out = if log {
        &g32 - &(&y32.exp() * &g32.sum_dim(dims, true))
    } else {
        &y32 * &(&g32 - &(&g32 * &y32).sum_dim(dims, true))
    };
    Some(out.to_dtype(dtype))
}

impl Tensor {
    /// The view with the last dim moved to position `d` (the inverse of moving `d` last).
    fn movedim_last_to(&self, d: usize) -> Tensor {
        let rank = self.dim();
        let mut perm: Vec<i64> = (0..rank as i64 - 1).collect();
        perm.insert(d, rank as i64 - 1);
        self.permute(&perm)
    }
}
