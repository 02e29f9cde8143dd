//! Elementwise binary ops on the GPU: arithmetic, comparisons and logical ops with
//! broadcasting, all computed in f32 by `kiln_gpu_kernels::binary`.
//!
//! Results take PyTorch's promoted dtype (f16 / bf16 round from f32, as on the CPU). Integer
//! tensors compute through f32 too, so integer results are exact while operands and results
//! stay within ±2^24.

use std::borrow::Cow;
use std::sync::Arc;

use kiln_gpu_kernels::{BinaryOp as K, GpuBuffer, StridedLayout, binary as kernel};

use crate::device::Device;
use crate::dtype::DType;
use crate::gpu::context::Gpu;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{on_gpu, to_device, to_dtype};
use crate::ops::binary::{BinaryOp, CompareOp, LogicalOp};
use crate::ops::scalar::Scalar;
use crate::tensor::Tensor;

/// The two operands of `op` on their GPU, or `None` when both are CPU tensors. A 0-dim CPU
/// tensor paired with a GPU tensor is copied over, as PyTorch allows for CPU scalars; any
/// other mix of devices panics naming both.
fn operands<'a>(
    op: &str,
    a: &'a Tensor,
    b: &'a Tensor,
) -> Option<(Cow<'a, Tensor>, Cow<'a, Tensor>)> {
    let lift = |t: &'a Tensor, device: Device| -> Cow<'a, Tensor> {
        if t.device().is_cpu() && t.dim() == 0 && !device.is_cpu() {
            Cow::Owned(to_device(t, &device).expect("cpu to gpu"))
        } else {
            Cow::Borrowed(t)
        }
    };
    let (a, b) = (lift(a, b.device()), lift(b, a.device()));
    on_gpu(op, &[&a, &b]).then_some((a, b))
}

/// Runs the kernel on the f32 views of `a` and `b`; returns the result buffer and shape.
fn run(op: &str, k: K, a: &Tensor, b: &Tensor) -> (Arc<Gpu>, GpuBuffer, Vec<usize>) {
    let (gpu, ba, la) = f32_operand(a);
    let (_, bb, lb) = f32_operand(b);
    let (out, shape) = ok(op, kernel(&gpu.ctx, k, &ba, &la, &bb, &lb));
    (gpu, out, shape)
}

/// The kernel op for an arithmetic op, and its name.
fn arith(op: BinaryOp) -> (K, &'static str) {
    match op {
        BinaryOp::Add => (K::Add, "add"),
        BinaryOp::Sub => (K::Sub, "sub"),
        BinaryOp::Mul => (K::Mul, "mul"),
        BinaryOp::Div => (K::Div, "div"),
        BinaryOp::Pow => (K::Pow, "pow"),
        BinaryOp::Maximum => (K::Maximum, "maximum"),
        BinaryOp::Minimum => (K::Minimum, "minimum"),
    }
}

/// The dtype of an arithmetic result: promoted, and float for a true division.
fn result_dtype(dtype: DType, op: BinaryOp) -> DType {
    if op == BinaryOp::Div && !dtype.is_float() {
        DType::F32
    } else {
        dtype
    }
}

/// `a op b` with broadcasting (`Tensor::binary`).
pub(crate) fn binary(a: &Tensor, b: &Tensor, op: BinaryOp) -> Option<Tensor> {
    let (k, name) = arith(op);
    let (a, b) = operands(name, a, b)?;
    let dtype = result_dtype(DType::promote(a.dtype(), b.dtype()), op);
    let (gpu, out, shape) = run(name, k, &a, &b);
    Some(from_f32(&gpu, out, dtype, shape))
}

/// `t op scalar` or `scalar op t` (`Tensor::binary_scalar`).
pub(crate) fn binary_scalar(
    t: &Tensor,
    scalar: Scalar,
    op: BinaryOp,
    scalar_first: bool,
) -> Option<Tensor> {
    let (k, name) = arith(op);
    if !on_gpu(name, &[t]) {
        return None;
    }
    let dtype = result_dtype(scalar.result_dtype(t.dtype()), op);
    let (gpu, bt, lt) = f32_operand(t);
    let s = ok(name, gpu.ctx.upload(&[scalar.to_f64() as f32]));
    let ls = StridedLayout::new(&[], &[], 0);
    let (out, shape) = if scalar_first {
        ok(name, kernel(&gpu.ctx, k, &s, &ls, &bt, &lt))
    } else {
        ok(name, kernel(&gpu.ctx, k, &bt, &lt, &s, &ls))
    };
    Some(from_f32(&gpu, out, dtype, shape))
}

/// Elementwise comparison with broadcasting, giving bool (`Tensor::compare`).
pub(crate) fn compare(a: &Tensor, b: &Tensor, op: CompareOp) -> Option<Tensor> {
    let (k, name) = match op {
        CompareOp::Eq => (K::Eq, "eq"),
        CompareOp::Ne => (K::Ne, "ne"),
        CompareOp::Lt => (K::Lt, "lt"),
        CompareOp::Le => (K::Le, "le"),
        CompareOp::Gt => (K::Gt, "gt"),
        CompareOp::Ge => (K::Ge, "ge"),
    };
    let (a, b) = operands(name, a, b)?;
    let (gpu, out, shape) = run(name, k, &a, &b);
    Some(wrap_contiguous(&gpu, out, DType::Bool, shape))
}

/// Logical and / or / xor of truth values with broadcasting, giving bool (`Tensor::logical`).
pub(crate) fn logical(a: &Tensor, b: &Tensor, op: LogicalOp) -> Option<Tensor> {
    let name = match op {
        LogicalOp::And => "logical_and",
        LogicalOp::Or => "logical_or",
        LogicalOp::Xor => "logical_xor",
    };
    let (a, b) = operands(name, a, b)?;
    let truth = |t: &Tensor| to_dtype(t, DType::Bool).expect("a gpu tensor");
    let (a, b) = (truth(&a), truth(&b));
    // On 0/1 values: and = product, or = maximum (bool results are `!= 0`), xor = `!=`.
    match op {
        LogicalOp::And => binary(&a, &b, BinaryOp::Mul),
        LogicalOp::Or => binary(&a, &b, BinaryOp::Maximum),
        LogicalOp::Xor => compare(&a, &b, CompareOp::Ne),
    }
}
