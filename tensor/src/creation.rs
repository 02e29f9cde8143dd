//! Creating tensors: from data, constants, ranges and identity matrices.

use crate::cpu::buffer_pool;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::shape::Shape;
use crate::storage::with_dtype;
use crate::tensor::Tensor;

impl Tensor {
    /// A contiguous CPU tensor that owns `data`, viewed as `shape` (`torch.tensor(data).view(shape)`).
    /// Panics if `data.len()` differs from the shape's element count.
    pub fn from_vec<T: Element>(data: Vec<T>, shape: impl Into<Shape>) -> Tensor {
        Tensor::from_cpu_storage(T::into_storage(data), shape)
    }

    /// Copies `data` into a new tensor of `shape`.
    pub fn from_slice<T: Element>(data: &[T], shape: impl Into<Shape>) -> Tensor {
        Tensor::from_vec(data.to_vec(), shape)
    }

    /// A 0-dimensional tensor holding `value` (`torch.tensor(3.0)`).
    pub fn scalar<T: Element>(value: T) -> Tensor {
        Tensor::from_vec(vec![value], ())
    }

    /// A tensor of `shape` filled with `value` converted to `dtype` (`torch.full`).
    pub fn full_with(shape: impl Into<Shape>, value: f64, dtype: DType, device: &Device) -> Tensor {
        let shape = shape.into();
        with_dtype!(dtype, T, {
            let data = buffer_pool::filled(shape.numel(), T::from_f64(value));
            Tensor::from_vec(data, shape).to_device(device)
        })
    }

    /// An f32 CPU tensor of `shape` filled with `value` (`torch.full(shape, value)`).
    pub fn full(shape: impl Into<Shape>, value: f64) -> Tensor {
        Tensor::full_with(shape, value, DType::F32, &Device::Cpu)
    }

    /// Zeros of `dtype` on `device` (`torch.zeros(shape, dtype=…, device=…)`).
    pub fn zeros_with(shape: impl Into<Shape>, dtype: DType, device: &Device) -> Tensor {
        Tensor::full_with(shape, 0.0, dtype, device)
    }

    /// f32 zeros on the CPU (`torch.zeros(shape)`).
    pub fn zeros(shape: impl Into<Shape>) -> Tensor {
        Tensor::full(shape, 0.0)
    }

    /// Ones of `dtype` on `device` (`torch.ones(shape, dtype=…, device=…)`).
    pub fn ones_with(shape: impl Into<Shape>, dtype: DType, device: &Device) -> Tensor {
        Tensor::full_with(shape, 1.0, dtype, device)
    }

    /// f32 ones on the CPU (`torch.ones(shape)`).
    pub fn ones(shape: impl Into<Shape>) -> Tensor {
        Tensor::full(shape, 1.0)
    }

    /// Zeros with this tensor's shape, dtype and device (`torch.zeros_like`).
    pub fn zeros_like(&self) -> Tensor {
        Tensor::zeros_with(self.shape(), self.dtype(), &self.device())
    }

    /// Ones with this tensor's shape, dtype and device (`torch.ones_like`).
    pub fn ones_like(&self) -> Tensor {
        Tensor::ones_with(self.shape(), self.dtype(), &self.device())
    }

    /// `value` with this tensor's shape, dtype and device (`torch.full_like`).
    pub fn full_like(&self, value: f64) -> Tensor {
        Tensor::full_with(self.shape(), value, self.dtype(), &self.device())
    }

    /// Values `start, start + step, …` below `end` (`torch.arange(start, end, step)`); the dtype
    /// follows `T` (`arange(0i64, 5, 1)` is int64, `arange(0f32, 1.0, 0.25)` is float32).
    /// Values are computed in f64 as `start + i * step`, like PyTorch. Panics on a zero step or a
    /// step pointing away from `end`.
    pub fn arange<T: Element>(start: T, end: T, step: T) -> Tensor {
        let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
        assert!(st != 0.0, "arange: step must be nonzero");
        assert!(
            (st > 0.0 && e >= s) || (st < 0.0 && e <= s),
            "arange: upper bound and larger bound inconsistent with step sign"
        );
        let n = ((e - s) / st).ceil() as usize;
        let data: Vec<T> = (0..n).map(|i| T::from_f64(s + i as f64 * st)).collect();
        Tensor::from_vec(data, [n])
    }

    /// `steps` evenly spaced f32 values from `start` to `end` inclusive (`torch.linspace`). Like
    /// PyTorch, the first half counts up from `start` and the second half down from `end`, so
    /// both ends are exact.
    pub fn linspace(start: f64, end: f64, steps: usize) -> Tensor {
        let step = if steps > 1 {
            (end - start) / (steps - 1) as f64
        } else {
            0.0
        };
        let half = steps / 2;
        let data: Vec<f32> = (0..steps)
            .map(|i| {
                if i < half {
                    (start + step * i as f64) as f32
                } else {
                    (end - step * (steps - 1 - i) as f64) as f32
                }
            })
            .collect();
        Tensor::from_vec(data, [steps])
    }

    /// The `n × n` identity matrix in f32 (`torch.eye(n)`).
    pub fn eye(n: usize) -> Tensor {
        Tensor::eye_with(n, DType::F32, &Device::Cpu)
    }

    /// The `n × n` identity matrix of `dtype` on `device`.
    pub fn eye_with(n: usize, dtype: DType, device: &Device) -> Tensor {
        with_dtype!(dtype, T, {
            let mut data = vec![T::from_f64(0.0); n * n];
            for i in 0..n {
                data[i * n + i] = T::from_f64(1.0);
            }
            Tensor::from_vec(data, [n, n]).to_device(device)
        })
    }
}
