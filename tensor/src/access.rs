//! Borrowing a tensor's elements directly, for kernels outside this crate (optimizers, data
//! loaders) that would otherwise copy them out with `to_vec`.

use std::sync::Arc;

use crate::dtype::Element;
use crate::storage::Storage;
use crate::tensor::Tensor;

impl Tensor {
    /// The elements in row-major order as a slice, without copying, when the tensor is a
    /// contiguous CPU tensor of element type `T`; `None` otherwise (call `contiguous()` or
    /// `to_dtype` first). Like `tensor.numpy()` on a contiguous tensor.
    pub fn as_slice<T: Element>(&self) -> Option<&[T]> {
        #[cfg(feature = "gpu")]
        if !self.device().is_cpu() {
            return None;
        }
        let range = self.layout.contiguous_range()?;
        T::slice(self.cpu_storage()).map(|s| &s[range])
    }

    /// The elements in row-major order, mutably, for updating a tensor in place (PyTorch's
    /// `with torch.no_grad(): p.add_(…)`). Only possible when this handle is the sole owner of
    /// its storage (no clone, view or autograd graph shares it), the layout is contiguous and the
    /// element type is `T`; `None` otherwise, in which case build a new tensor instead.
    pub fn as_mut_slice<T: Element>(&mut self) -> Option<&mut [T]> {
        let range = self.layout.contiguous_range()?;
        let storage = Arc::get_mut(&mut self.storage)?;
        match storage {
            Storage::Cpu(cpu) => T::slice_mut(cpu).map(|s| &mut s[range]),
            #[cfg(feature = "gpu")]
            Storage::Gpu(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

    #[test]
    fn slices_follow_contiguity_dtype_and_sharing() {
        let mut t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], [2, 2]);
        assert_eq!(t.as_slice::<f32>(), Some(&[1.0, 2.0, 3.0, 4.0][..]));
        assert!(t.as_slice::<f64>().is_none());
        assert!(t.t().as_slice::<f32>().is_none());
        assert_eq!(t.select(0, 1).as_slice::<f32>(), Some(&[3.0, 4.0][..]));
        t.as_mut_slice::<f32>().expect("unique")[0] = 9.0;
        assert_eq!(t.to_vec::<f32>(), vec![9.0, 2.0, 3.0, 4.0]);
        let shared = t.clone();
        assert!(t.as_mut_slice::<f32>().is_none());
        drop(shared);
        assert!(t.as_mut_slice::<f32>().is_some());
    }
}
