//! Optimizer state buffers and the number types an update rule is written over.

use std::ops::{Add, Div, Mul, Neg, Sub};

use kiln_autograd::Var;
use kiln_tensor::{DType, Device, Tensor};

/// The number type an optimizer's per-element update rule is written over: `f32` (for f32, f16
/// and bf16 parameters on the CPU), `f64` (f64 parameters), or [`crate::traced::Traced`], which
/// runs the same rule as whole-tensor ops for parameters on a GPU.
pub(crate) trait Real:
    Copy
    + Send
    + Sync
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    /// A constant, rounded to the compute type.
    fn constant(value: f64) -> Self;
    /// Square root.
    fn sqrt(self) -> Self;
    /// The larger of two values (NaN-propagating like `torch.maximum`).
    fn maximum(self, other: Self) -> Self;
    /// Updates `param` with `kernel` over its value, its gradient and `state` (see
    /// [`crate::kernel::update_param`], which documents the contract).
    fn update<K>(param: &Var, state: Vec<Option<&mut Buf>>, kernel: K)
    where
        K: Fn(&mut [&mut [Self]], &[Self]) + Sync + Send;
}

/// One per-parameter state tensor (`exp_avg`, `momentum_buffer`, …) in the parameter's compute
/// dtype: a flat host vector for CPU parameters, so an update is one pass over plain memory, or
/// a tensor on the parameter's GPU.
#[derive(Clone, Debug)]
pub(crate) enum Buf {
    /// State of f32, f16 and bf16 parameters on the CPU.
    F32(Vec<f32>),
    /// State of f64 parameters.
    F64(Vec<f64>),
    /// State of a parameter on a GPU: an f32 tensor of the parameter's shape on its device.
    Device(Tensor),
}

impl Buf {
    /// `value` in every element, shaped and placed for the parameter whose value is `param`.
    pub(crate) fn filled(param: &Tensor, value: f64) -> Buf {
        let n = param.numel();
        match UpdatePath::of(param) {
            UpdatePath::HostF64 => Buf::F64(vec![value; n]),
            UpdatePath::HostF32 => Buf::F32(vec![value as f32; n]),
            UpdatePath::Device => Buf::Device(Tensor::full_with(
                param.shape(),
                value,
                DType::F32,
                &param.device(),
            )),
        }
    }

    /// The buffer as a CPU tensor of `dims` (for `state_dict`, which is saved from host memory).
    pub(crate) fn to_tensor(&self, dims: &[usize]) -> Tensor {
        match self {
            Buf::F32(v) => Tensor::from_slice(v, dims),
            Buf::F64(v) => Tensor::from_slice(v, dims),
            Buf::Device(t) => t.to_device(&Device::Cpu).reshape_to(dims),
        }
    }

    /// Reads a saved state tensor for the parameter whose value is `param`, converting it to the
    /// parameter's compute dtype and device (as PyTorch casts state to the parameter's dtype and
    /// device on load).
    pub(crate) fn from_tensor(t: &Tensor, param: &Tensor) -> Buf {
        match UpdatePath::of(param) {
            UpdatePath::HostF64 => Buf::F64(t.to_vec::<f64>()),
            UpdatePath::HostF32 => Buf::F32(t.to_vec::<f32>()),
            UpdatePath::Device => Buf::Device(
                t.to_dtype(DType::F32)
                    .to_device(&param.device())
                    .reshape_to(param.dims()),
            ),
        }
    }
}

/// How a parameter's update runs: a fused host loop in f32 or f64, or tensor ops on its GPU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UpdatePath {
    /// f32, f16 and bf16 parameters on the CPU: math in f32 (PyTorch's `opmath` for half types).
    HostF32,
    /// f64 parameters on the CPU: math in f64.
    HostF64,
    /// Parameters on a GPU: math in f32 as tensor ops on the parameter's device.
    Device,
}

impl UpdatePath {
    /// The path for a parameter whose value is `param`.
    pub(crate) fn of(param: &Tensor) -> UpdatePath {
        if !param.device().is_cpu() {
            UpdatePath::Device
        } else if param.dtype() == DType::F64 {
            UpdatePath::HostF64
        } else {
            UpdatePath::HostF32
        }
    }
}

/// Runs `$step::<T>($args…)` with the number type `T` of `$param`'s [`UpdatePath`].
macro_rules! dispatch_update {
    ($param:expr, $step:ident($($arg:expr),* $(,)?)) => {{
        // Read the path first: a temporary value in the `match` would live through the step
        // and stop the host path from updating the parameter's buffer in place.
        let path = $crate::buffer::UpdatePath::of(&$param.value());
        match path {
            $crate::buffer::UpdatePath::HostF32 => $step::<f32>($($arg),*),
            $crate::buffer::UpdatePath::HostF64 => $step::<f64>($($arg),*),
            $crate::buffer::UpdatePath::Device => $step::<$crate::traced::Traced>($($arg),*),
        }
    }};
}
pub(crate) use dispatch_update;
