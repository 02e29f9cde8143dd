//! Mixed-precision autocast for a scope (`torch.autocast(device_type, dtype=…)`).
//!
//! While an [`AutocastGuard`] is alive on a thread, [`Var::matmul`] (and so `Linear` and the
//! attention products) casts its floating-point operands to the autocast dtype (f16 or bf16)
//! and returns a half-precision result, while softmax, log-softmax and layer norm cast
//! half-precision inputs up to f32 first: PyTorch's "lower precision" and "float32" op lists.
//! Everything else runs in the dtype it is given (mixed operands promote to f32). Gradients
//! flow back through each cast to the dtype of its source, so f32 master weights get f32
//! gradients.

use std::cell::Cell;

use kiln_tensor::DType;

use crate::var::Var;

thread_local! {
    static AUTOCAST: Cell<Option<DType>> = const { Cell::new(None) };
}

/// The dtype matmuls run in on this thread, or `None` outside autocast
/// (`torch.get_autocast_dtype` while `torch.is_autocast_enabled()`).
pub fn autocast_dtype() -> Option<DType> {
    AUTOCAST.with(|a| a.get())
}

/// While alive, autocast is on (or off) on this thread; dropping it restores the previous
/// setting, so guards nest.
#[must_use = "autocast is on only while the guard is alive"]
pub struct AutocastGuard {
    previous: Option<DType>,
}

impl Drop for AutocastGuard {
    fn drop(&mut self) {
        AUTOCAST.with(|a| a.set(self.previous));
    }
}

/// Turns autocast on with `dtype` (F16 or BF16), or off with `None`, until the returned guard
/// is dropped (`with torch.autocast("cpu", dtype=torch.float16):`). Panics for any other dtype.
pub fn autocast(dtype: Option<DType>) -> AutocastGuard {
    assert!(
        matches!(dtype, None | Some(DType::F16) | Some(DType::BF16)),
        "autocast: the dtype must be F16 or BF16, got {dtype:?}"
    );
    let previous = AUTOCAST.with(|a| a.replace(dtype));
    AutocastGuard { previous }
}

impl Var {
    /// This value in f32 when autocast is on and it is f16/bf16; `None` otherwise.
    pub(crate) fn autocast_f32(&self) -> Option<Var> {
        autocast_dtype()?;
        let dtype = self.value().dtype();
        matches!(dtype, DType::F16 | DType::BF16).then(|| self.to_dtype(DType::F32))
    }
}
