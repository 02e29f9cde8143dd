//! The `Tensor` type: shared storage plus a strided layout.

use std::sync::Arc;

use crate::cpu::strided::map1;
use crate::device::Device;
use crate::dtype::{DType, Element};
use crate::layout::Layout;
use crate::shape::Shape;
use crate::storage::{CpuStorage, Storage, with_dtype};

/// An n-dimensional array (PyTorch's `torch.Tensor`).
///
/// Cloning is cheap (an `Arc` bump). Views such as [`Tensor::transpose`] or [`Tensor::narrow`]
/// share storage with their source; ops return new tensors and never mutate their inputs.
#[derive(Clone)]
pub struct Tensor {
    pub(crate) storage: Arc<Storage>,
    pub(crate) layout: Layout,
}

impl Tensor {
    /// Wraps host elements as a contiguous tensor of `shape`. Panics if the counts differ.
    pub(crate) fn from_cpu_storage(storage: CpuStorage, shape: impl Into<Shape>) -> Tensor {
        let shape = shape.into();
        assert_eq!(
            storage.len(),
            shape.numel(),
            "from_vec: {} elements cannot have shape {shape}",
            storage.len()
        );
        Tensor {
            storage: Arc::new(Storage::Cpu(storage)),
            layout: Layout::contiguous(shape),
        }
    }

    /// A new view of the same storage with another layout.
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor {
            storage: Arc::clone(&self.storage),
            layout,
        }
    }

    /// The host storage; every op reaches its data through here or through the GPU path.
    pub(crate) fn cpu_storage(&self) -> &CpuStorage {
        match &*self.storage {
            Storage::Cpu(s) => s,
            #[cfg(feature = "gpu")]
            Storage::Gpu(g) => panic!("this op is not implemented for gpu:{} tensors", g.ordinal),
        }
    }

    /// The elements' storage slice and layout, checking the dtype. Panics naming `op` when the
    /// tensor holds another dtype.
    pub(crate) fn typed<T: Element>(&self, op: &str) -> (&[T], &Layout) {
        #[cfg(feature = "gpu")]
        crate::gpu::reject(self, op);
        let slice = T::slice(self.cpu_storage()).unwrap_or_else(|| {
            panic!("{op}: expected a {} tensor, got {}", T::DTYPE, self.dtype())
        });
        (slice, &self.layout)
    }

    /// The shape (`Tensor.shape` / `size()`).
    pub fn shape(&self) -> &Shape {
        self.layout.shape()
    }

    /// The dimension sizes as a slice.
    pub fn dims(&self) -> &[usize] {
        self.layout.dims()
    }

    /// Size of dimension `dim` (`Tensor.size(dim)`); negative `dim` counts from the end.
    pub fn size(&self, dim: impl crate::Dim) -> usize {
        self.dims()[dim.resolve(self.dim(), "size")]
    }

    /// Number of dimensions (`Tensor.dim()`).
    pub fn dim(&self) -> usize {
        self.layout.shape().rank()
    }

    /// Number of elements (`Tensor.numel()`).
    pub fn numel(&self) -> usize {
        self.layout.shape().numel()
    }

    /// Element type (`Tensor.dtype`).
    pub fn dtype(&self) -> DType {
        self.storage.dtype()
    }

    /// The device holding the data (`Tensor.device`).
    pub fn device(&self) -> Device {
        self.storage.device()
    }

    /// Shape, strides and offset.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Strides in elements (`Tensor.stride()`).
    pub fn strides(&self) -> &[usize] {
        self.layout.strides()
    }

    /// True when the elements are laid out row-major without gaps (`is_contiguous()`).
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    /// True when both tensors are views of the same storage.
    pub fn shares_storage_with(&self, other: &Tensor) -> bool {
        Arc::ptr_eq(&self.storage, &other.storage)
    }

    /// A row-major copy if the tensor is a strided view, else `self` (`contiguous()`).
    pub fn contiguous(&self) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::contiguous(self) {
            return out;
        }
        if self.layout.is_contiguous()
            && self.layout.offset() == 0
            && self.numel() == self.cpu_storage().len()
        {
            return self.clone();
        }
        with_dtype!(self.dtype(), T, {
            let (src, layout) = self.typed::<T>("contiguous");
            let out = map1(src, layout, |x| x);
            Tensor::from_cpu_storage(T::into_storage(out), self.shape().clone())
        })
    }

    /// Converts every element to `dtype` (`Tensor.to(dtype)`): floats to integers truncate toward
    /// zero, anything to bool is `!= 0`. Returns `self` when the dtype already matches.
    pub fn to_dtype(&self, dtype: DType) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::to_dtype(self, dtype) {
            return out;
        }
        if dtype == self.dtype() {
            return self.clone();
        }
        with_dtype!(self.dtype(), S, {
            let (src, layout) = self.typed::<S>("to_dtype");
            with_dtype!(dtype, D, {
                let out: Vec<D> = map1(src, layout, |x| D::from_f64(x.to_f64()));
                Tensor::from_cpu_storage(D::into_storage(out), self.shape().clone())
            })
        })
    }

    /// Moves the tensor to `device` (`Tensor.to(device)`); a no-op when it is already there.
    pub fn to_device(&self, device: &Device) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::to_device(self, device) {
            return out;
        }
        match device {
            Device::Cpu => self.clone(),
            #[cfg(feature = "gpu")]
            Device::Gpu(_) => unreachable!("gpu moves return above"),
        }
    }

    /// All elements in row-major order, converted to `T` (`Tensor.tolist()` flattened).
    pub fn to_vec<T: Element>(&self) -> Vec<T> {
        #[cfg(feature = "gpu")]
        if !self.device().is_cpu() {
            return self.to_device(&Device::Cpu).to_vec();
        }
        let t = self.to_dtype(T::DTYPE);
        let (src, layout) = t.typed::<T>("to_vec");
        match layout.contiguous_range() {
            Some(r) => src[r].to_vec(),
            None => map1(src, layout, |x| x),
        }
    }

    /// The value of a one-element tensor, converted to `T` (`Tensor.item()`).
    pub fn item<T: Element>(&self) -> T {
        assert_eq!(
            self.numel(),
            1,
            "item: a Tensor with {} elements cannot be converted to a scalar",
            self.numel()
        );
        self.to_vec::<T>()[0]
    }
}
