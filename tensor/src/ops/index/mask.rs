//! `masked_fill`: a constant written wherever a boolean mask is true.

use half::{bf16, f16};

use crate::cpu::strided::map2;
use crate::dtype::{DType, Element};
use crate::ops::index::check_same_device;
use crate::shape::Shape;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// `self` with `value` wherever `mask` is true (`torch.masked_fill(input, mask, value)`).
    ///
    /// `mask` is a bool tensor broadcast together with `self` (the result has the broadcast
    /// shape, as PyTorch's out-of-place `masked_fill` does) and `self`'s dtype. `value` is
    /// converted like PyTorch converts a Python number: truncated toward zero for integer
    /// dtypes, `!= 0` for bool. Panics when `mask` is not bool, the shapes do not broadcast, or
    /// `value` overflows the dtype (e.g. `256.0` or `-1.0` for uint8, `1e6` for float16; inf and
    /// NaN are fine for floats).
    pub fn masked_fill(&self, mask: &Tensor, value: f64) -> Tensor {
        check_same_device("masked_fill", &[self, mask]);
        assert_eq!(
            mask.dtype(),
            DType::Bool,
            "masked_fill: only boolean masks are supported, got a mask with dtype {}",
            mask.dtype()
        );
        let shape = Shape::broadcast(self.shape(), mask.shape()).unwrap_or_else(|| {
            panic!(
                "masked_fill: the shapes {} (self) and {} (mask) cannot be broadcast together",
                self.shape(),
                mask.shape()
            )
        });
        check_fill_value(value, self.dtype(), "masked_fill");
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::masked_fill(self, mask, value, &shape) {
            return out;
        }
        with_dtype!(self.dtype(), T, {
            masked_fill_cpu::<T>(self, mask, T::from_f64(value), shape)
        })
    }
}

/// Panics naming `op` unless `value` fits `dtype` the way PyTorch checks a scalar: finite
/// values within the float range, and integers within range after truncation (NaN never).
fn check_fill_value(value: f64, dtype: DType, op: &str) {
    let float_max = match dtype {
        DType::F32 => Some(f32::MAX as f64),
        DType::F16 => Some(f16::MAX.to_f64()),
        DType::BF16 => Some(bf16::MAX.to_f64()),
        _ => None,
    };
    let fits = match dtype {
        DType::F64 | DType::Bool => true,
        DType::F32 | DType::F16 | DType::BF16 => {
            let max = float_max.expect("float dtype");
            !value.is_finite() || value.abs() <= max
        }
        // PyTorch compares the value itself with the range before truncating: [min, max + 1).
        DType::I64 => (-(2f64.powi(63))..2f64.powi(63)).contains(&value),
        DType::U8 => (0.0..256.0).contains(&value),
    };
    assert!(
        fits,
        "{op}: value {value} cannot be converted to {dtype} without overflow"
    );
}

/// CPU kernel: one broadcasting pass choosing between `self` and the constant.
fn masked_fill_cpu<T: Element>(t: &Tensor, mask: &Tensor, value: T, shape: Shape) -> Tensor {
    let (src, layout) = t.typed::<T>("masked_fill");
    let (m, mask_layout) = mask.typed::<bool>("masked_fill");
    let la = layout.broadcast_to(&shape).expect("checked broadcast");
    let lm = mask_layout.broadcast_to(&shape).expect("checked broadcast");
    let out = map2(src, &la, m, &lm, |x, fill| if fill { value } else { x });
    Tensor::from_vec(out, shape)
}
