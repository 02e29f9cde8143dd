//! Pointwise functions on the GPU (`kiln_gpu_kernels::unary`, computed in f32).

use kiln_gpu_kernels::{UnaryOp as K, unary as kernel};

use crate::dtype::DType;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::storage::ok;
use crate::gpu::{on_gpu, to_dtype};
use crate::ops::binary::CompareOp;
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

/// The kernel op for `op`, its name, and whether integer inputs keep their dtype.
fn kernel_op(op: UnaryOp) -> (K, &'static str, bool) {
    match op {
        UnaryOp::Neg => (K::Neg, "neg", true),
        UnaryOp::Abs => (K::Abs, "abs", true),
        UnaryOp::Exp => (K::Exp, "exp", false),
        UnaryOp::Log => (K::Log, "log", false),
        UnaryOp::Log1p => (K::Log1p, "log1p", false),
        UnaryOp::Sqrt => (K::Sqrt, "sqrt", false),
        UnaryOp::Rsqrt => (K::Rsqrt, "rsqrt", false),
        UnaryOp::Reciprocal => (K::Recip, "reciprocal", false),
        UnaryOp::Sin => (K::Sin, "sin", false),
        UnaryOp::Cos => (K::Cos, "cos", false),
        UnaryOp::Tanh => (K::Tanh, "tanh", false),
        UnaryOp::Sigmoid => (K::Sigmoid, "sigmoid", false),
        UnaryOp::Relu => (K::Relu, "relu", true),
        UnaryOp::Gelu => (K::Gelu, "gelu", false),
        UnaryOp::GeluTanh => (K::GeluTanh, "gelu_tanh", false),
        UnaryOp::Silu => (K::Silu, "silu", false),
        UnaryOp::Erf => (K::Erf, "erf", false),
    }
}

/// Applies `k` to the f32 view of `t` and returns the result in `dtype`.
fn apply(name: &str, t: &Tensor, k: K, dtype: DType) -> Tensor {
    let (gpu, x, layout) = f32_operand(t);
    let out = ok(name, kernel(&gpu.ctx, k, &x, &layout));
    from_f32(&gpu, out, dtype, t.shape().clone())
}

/// `Tensor::unary`: floats keep their dtype; integers keep theirs for `neg` / `abs` / `relu`
/// and become f32 otherwise; bool panics, as on the CPU.
pub(crate) fn unary(t: &Tensor, op: UnaryOp) -> Option<Tensor> {
    let (k, name, keeps_integers) = kernel_op(op);
    if !on_gpu(name, &[t]) {
        return None;
    }
    let dtype = match t.dtype() {
        DType::Bool => panic!("{name}: not supported for bool tensors"),
        d if d.is_float() || keeps_integers => d,
        _ => DType::F32,
    };
    Some(apply(name, t, k, dtype))
}

/// `Tensor::clamp` (either bound optional; keeps the dtype).
pub(crate) fn clamp(t: &Tensor, min: Option<f64>, max: Option<f64>) -> Option<Tensor> {
    if !on_gpu("clamp", &[t]) {
        return None;
    }
    assert!(
        t.dtype() != DType::Bool,
        "clamp: not supported for bool tensors"
    );
    let lo = min.map_or(f32::NEG_INFINITY, |v| v as f32);
    let hi = max.map_or(f32::INFINITY, |v| v as f32);
    Some(apply("clamp", t, K::Clamp(lo, hi), t.dtype()))
}

/// `Tensor::logical_not`: `x == 0`, as bool.
pub(crate) fn logical_not(t: &Tensor) -> Option<Tensor> {
    if !on_gpu("logical_not", &[t]) {
        return None;
    }
    let truth = to_dtype(t, DType::Bool).expect("a gpu tensor");
    crate::gpu::compare(&truth, &Tensor::scalar(0.0f32), CompareOp::Eq)
}
