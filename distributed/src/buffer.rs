//! [`Buffer`]: a tensor's elements as the flat, typed array a collective sends.

use kiln_tensor::{DType, Device, Tensor};

/// The flat elements of a tensor in the type MPI moves them as. Half-precision floats
/// travel (and are summed) as f32, booleans as u8.
#[derive(Debug, Clone, PartialEq)]
pub enum Buffer {
    /// f32, f16 and bf16 tensors.
    F32(Vec<f32>),
    /// f64 tensors.
    F64(Vec<f64>),
    /// i64 tensors.
    I64(Vec<i64>),
    /// u8 and bool tensors.
    U8(Vec<u8>),
}

impl Buffer {
    /// The elements of `tensor` in row-major order, copied to the host.
    pub fn from_tensor(tensor: &Tensor) -> Buffer {
        match tensor.dtype() {
            DType::F32 | DType::F16 | DType::BF16 => Buffer::F32(tensor.to_vec::<f32>()),
            DType::F64 => Buffer::F64(tensor.to_vec::<f64>()),
            DType::I64 => Buffer::I64(tensor.to_vec::<i64>()),
            DType::U8 | DType::Bool => Buffer::U8(tensor.to_vec::<u8>()),
        }
    }

    /// A tensor of `dims`, `dtype` on `device` holding these elements; panics when the count
    /// does not match `dims`.
    pub fn into_tensor(self, dims: &[usize], dtype: DType, device: &Device) -> Tensor {
        let tensor = match self {
            Buffer::F32(v) => Tensor::from_vec(v, dims),
            Buffer::F64(v) => Tensor::from_vec(v, dims),
            Buffer::I64(v) => Tensor::from_vec(v, dims),
            Buffer::U8(v) => Tensor::from_vec(v, dims),
        };
        let tensor = if tensor.dtype() == dtype {
            tensor
        } else {
            tensor.to_dtype(dtype)
        };
        if device == &Device::Cpu {
            tensor
        } else {
            tensor.to_device(device)
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        match self {
            Buffer::F32(v) => v.len(),
            Buffer::F64(v) => v.len(),
            Buffer::I64(v) => v.len(),
            Buffer::U8(v) => v.len(),
        }
    }

    /// `true` when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Size in bytes on the wire.
    pub fn bytes(&self) -> usize {
        let width = match self {
            Buffer::F32(_) => 4,
            Buffer::F64(_) | Buffer::I64(_) => 8,
            Buffer::U8(_) => 1,
        };
        self.len() * width
    }

    /// The elements `range` as a buffer of the same type.
    pub(crate) fn slice(&self, range: std::ops::Range<usize>) -> Buffer {
        match self {
            Buffer::F32(v) => Buffer::F32(v[range].to_vec()),
            Buffer::F64(v) => Buffer::F64(v[range].to_vec()),
            Buffer::I64(v) => Buffer::I64(v[range].to_vec()),
            Buffer::U8(v) => Buffer::U8(v[range].to_vec()),
        }
    }

    /// Divides every element by `n` (the mean after a sum); integer buffers are left alone.
    pub(crate) fn divide(&mut self, n: usize) {
        match self {
            Buffer::F32(v) => v.iter_mut().for_each(|x| *x /= n as f32),
            Buffer::F64(v) => v.iter_mut().for_each(|x| *x /= n as f64),
            Buffer::I64(_) | Buffer::U8(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_tensor::tensor;

    #[test]
    fn every_dtype_round_trips() {
        let x = tensor![[1.5, -2.0], [0.25, 8.0]];
        for dtype in DType::ALL {
            let t = x.to_dtype(dtype);
            let back = Buffer::from_tensor(&t).into_tensor(t.dims(), dtype, &Device::Cpu);
            assert_eq!(back.dtype(), dtype);
            assert_eq!(back.dims(), t.dims());
            assert_eq!(back.to_vec::<f64>(), t.to_vec::<f64>(), "{dtype:?}");
        }
    }

    #[test]
    fn halves_travel_as_f32_and_bools_as_bytes() {
        let h = tensor![1.0, 2.0].to_dtype(DType::F16);
        assert_eq!(Buffer::from_tensor(&h), Buffer::F32(vec![1.0, 2.0]));
        let b = tensor![0.0, 3.0].to_dtype(DType::Bool);
        assert_eq!(Buffer::from_tensor(&b), Buffer::U8(vec![0, 1]));
        assert_eq!(Buffer::F64(vec![0.0; 3]).bytes(), 24);
    }
}
