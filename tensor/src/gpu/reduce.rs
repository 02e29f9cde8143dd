//! Reductions on the GPU: sum / mean over any dims, max / min with their indices,
//! argmax / argmin (`kiln_gpu_kernels::reduce`, accumulating in f32).
//!
//! One reduced dim runs on the strided view directly; several are first gathered last by a
//! strided copy, then reduced as one.

use std::sync::Arc;

use kiln_gpu_kernels::{GpuBuffer, ReduceOp, StridedLayout, contiguous as copy, reduce as kernel};

use crate::dtype::DType;
use crate::gpu::context::Gpu;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::on_gpu;
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::shape::Dim;
use crate::tensor::Tensor;

/// Which dims of `t` `dims` names (empty = all), panicking on repeats like the CPU path.
pub(crate) fn mask_of(t: &Tensor, dims: &[i64], op: &str) -> Vec<bool> {
    let mut mask = vec![dims.is_empty(); t.dim()];
    for &d in dims {
        let i = d.resolve(t.dim(), op);
        if t.dim() == 0 {
            continue;
        }
        assert!(
            !mask[i],
            "{op}: dim {i} appears multiple times in the list of dims"
        );
        mask[i] = true;
    }
    mask
}

/// The output shape: kept dims, with reduced ones as 1 when `keepdim`.
pub(crate) fn out_shape(t: &Tensor, mask: &[bool], keepdim: bool) -> Vec<usize> {
    t.dims()
        .iter()
        .zip(mask)
        .filter_map(|(&n, &m)| match (m, keepdim) {
            (false, _) => Some(n),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Runs `k` over the dims in `mask` of the f32 view of `t`; the result is contiguous over the
/// kept dims.
fn run(op: &str, t: &Tensor, mask: &[bool], k: ReduceOp) -> (Arc<Gpu>, GpuBuffer) {
    let (gpu, x, mut layout) = f32_operand(t);
    let mut mask = mask.to_vec();
    if layout.shape.is_empty() {
        layout = StridedLayout::new(&[1], &[1], layout.offset);
        mask = vec![true];
    }
    let reduced: Vec<usize> = (0..mask.len()).filter(|&i| mask[i]).collect();
    if let [dim] = reduced[..] {
        return (
            Arc::clone(&gpu),
            ok(op, kernel(&gpu.ctx, k, &x, &layout, dim)),
        );
    }
    // Kept dims first, reduced dims last, copied row-major: [kept.., reduced..].
    let order: Vec<usize> = (0..mask.len())
        .filter(|&i| !mask[i])
        .chain(reduced.iter().copied())
        .collect();
    let permuted = StridedLayout::new(
        &order.iter().map(|&i| layout.shape[i]).collect::<Vec<_>>(),
        &order.iter().map(|&i| layout.strides[i]).collect::<Vec<_>>(),
        layout.offset,
    );
    let rows: usize = reduced.iter().map(|&i| layout.shape[i]).product();
    let outer: usize = (0..mask.len())
        .filter(|&i| !mask[i])
        .map(|i| layout.shape[i])
        .product();
    let packed = ok(op, copy(&gpu.ctx, &x, &permuted));
    let flat = StridedLayout::contiguous(&[outer, rows]);
    (
        Arc::clone(&gpu),
        ok(op, kernel(&gpu.ctx, k, &packed, &flat, 1)),
    )
}

/// `sum(dims, keepdim)`: floats keep their dtype, integers and bool give int64.
pub(crate) fn sum_dims(t: &Tensor, dims: &[i64], keepdim: bool) -> Option<Tensor> {
    if !on_gpu("sum", &[t]) {
        return None;
    }
    let mask = mask_of(t, dims, "sum");
    let dtype = if t.dtype().is_float() {
        t.dtype()
    } else {
        DType::I64
    };
    let (gpu, out) = run("sum", t, &mask, ReduceOp::Sum);
    Some(from_f32(&gpu, out, dtype, out_shape(t, &mask, keepdim)))
}

/// `mean(dims, keepdim)` of a float tensor; integer tensors panic as in PyTorch.
pub(crate) fn mean_dims(t: &Tensor, dims: &[i64], keepdim: bool) -> Option<Tensor> {
    if !on_gpu("mean", &[t]) {
        return None;
    }
    let dtype = t.dtype();
    assert!(
        dtype.is_float(),
        "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {}",
        match dtype {
            DType::I64 => "Long",
            DType::U8 => "Byte",
            _ => "Bool",
        }
    );
    let mask = mask_of(t, dims, "mean");
    let (gpu, out) = run("mean", t, &mask, ReduceOp::Mean);
    Some(from_f32(&gpu, out, dtype, out_shape(t, &mask, keepdim)))
}

/// `max()` / `min()` of the whole tensor as a 0-d tensor of its dtype (`max` when `max`).
pub(crate) fn extreme_all(t: &Tensor, max: bool) -> Option<Tensor> {
    let op = if max { "max" } else { "min" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    assert!(
        t.numel() > 0,
        "{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
    );
    let k = if max { ReduceOp::Max } else { ReduceOp::Min };
    let (gpu, out) = run(op, t, &vec![true; t.dim()], k);
    Some(from_f32(&gpu, out, t.dtype(), Vec::<usize>::new()))
}

/// Checks `dim` of `t` for an indexed reduction and returns it resolved.
fn indexed_dim(t: &Tensor, dim: impl Dim, op: &str) -> usize {
    let d = dim.resolve(t.dim(), op);
    if t.dim() > 0 {
        assert!(
            t.dims()[d] > 0,
            "{op}(): Expected reduction dim {d} to have non-zero size."
        );
    }
    d
}

/// The int64 indices of the extremes along `d` (u32 in the buffer).
fn indices(t: &Tensor, d: usize, keepdim: bool, max: bool, op: &str) -> Tensor {
    let mask: Vec<bool> = (0..t.dim()).map(|i| i == d).collect();
    let k = if max {
        ReduceOp::Argmax
    } else {
        ReduceOp::Argmin
    };
    let (gpu, out) = run(op, t, &mask, k);
    wrap_contiguous(&gpu, out, DType::I64, out_shape(t, &mask, keepdim))
}

/// `max_dim` / `min_dim`: values and int64 indices along `dim` (first index on ties, NaN wins).
pub(crate) fn extreme_dim(
    t: &Tensor,
    dim: impl Dim,
    keepdim: bool,
    max: bool,
) -> Option<(Tensor, Tensor)> {
    let op = if max { "max" } else { "min" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    let d = indexed_dim(t, dim, op);
    let mask: Vec<bool> = (0..t.dim()).map(|i| i == d).collect();
    let k = if max { ReduceOp::Max } else { ReduceOp::Min };
    let (gpu, out) = run(op, t, &mask, k);
    let values = from_f32(&gpu, out, t.dtype(), out_shape(t, &mask, keepdim));
    Some((values, indices(t, d, keepdim, max, op)))
}

/// `argmax_dim` / `argmin_dim` (`max` picks which): int64 indices along `dim`.
pub(crate) fn arg_dim(t: &Tensor, dim: impl Dim, keepdim: bool, max: bool) -> Option<Tensor> {
    let op = if max { "argmax" } else { "argmin" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    let d = indexed_dim(t, dim, op);
    Some(indices(t, d, keepdim, max, op))
}

/// `argmax()` / `argmin()`: the index in the flattened (row-major) tensor, as a 0-d int64.
pub(crate) fn arg_all(t: &Tensor, max: bool) -> Option<Tensor> {
    let op = if max { "argmax" } else { "argmin" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    assert!(
        t.numel() > 0,
        "{op}(): Expected reduction dim to be specified for input.numel() == 0."
    );
    let flat = crate::gpu::contiguous(t).expect("a gpu tensor");
    let flat = flat.with_layout(crate::layout::Layout::contiguous([t.numel()].into()));
    Some(indices(&flat, 0, false, max, op))
}

/// `prod(dims, keepdim)` (empty `dims` = every dim), accumulated in f32: floats keep their
/// dtype; integers and bool give int64, exact while every partial product stays within 2^24.
pub(crate) fn prod_dims(t: &Tensor, dims: &[i64], keepdim: bool) -> Option<Tensor> {
    if !on_gpu("prod", &[t]) {
        return None;
    }
    let mask = mask_of(t, dims, "prod");
    let dtype = if t.dtype().is_float() {
        t.dtype()
    } else {
        DType::I64
    };
    let (gpu, out) = run("prod", t, &mask, ReduceOp::Prod);
    Some(from_f32(&gpu, out, dtype, out_shape(t, &mask, keepdim)))
}

/// `all(dims, keepdim)` (`all`) or `any(dims, keepdim)` as bool: the product (all) or the sum
/// (any) of the 0/1 truth values `x != 0` (NaN counts as true), so an empty reduction gives
/// true for `all` and false for `any`.
pub(crate) fn truth(t: &Tensor, dims: &[i64], keepdim: bool, all: bool) -> Option<Tensor> {
    let op = if all { "all" } else { "any" };
    if !on_gpu(op, &[t]) {
        return None;
    }
    let mask = mask_of(t, dims, op);
    let nonzero = t.compare_scalar(0, crate::ops::binary::CompareOp::Ne);
    let k = if all { ReduceOp::Prod } else { ReduceOp::Sum };
    let (gpu, out) = run(op, &nonzero, &mask, k);
    Some(from_f32(
        &gpu,
        out,
        DType::Bool,
        out_shape(t, &mask, keepdim),
    ))
}

/// The maximum (NaN propagating) of `t` over the dims in `mask`, kept as size-1 dims, in f32.
pub(crate) fn max_over(t: &Tensor, mask: &[bool], op: &str) -> Tensor {
    let (gpu, out) = run(op, t, mask, ReduceOp::Max);
    from_f32(&gpu, out, DType::F32, out_shape(t, mask, true))
}
