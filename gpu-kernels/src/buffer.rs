//! [`GpuBuffer`]: a pooled device buffer with a length and an element type.

use std::fmt;
use std::sync::Arc;

use crate::DType;
use crate::pool::PooledBuffer;

/// A device buffer holding `len` elements of `dtype`, on loan from the context's pool.
///
/// Cloning is cheap and shares the allocation; when the last clone drops, the wgpu buffer goes
/// back to its size bucket for reuse. The underlying buffer may be larger than
/// `dtype.storage_bytes(len)` (pool rounding); kernels only touch the first `len` elements.
#[derive(Clone)]
pub struct GpuBuffer {
    inner: Arc<PooledBuffer>,
    len: usize,
    dtype: DType,
}

impl GpuBuffer {
    pub(crate) fn new(inner: PooledBuffer, len: usize, dtype: DType) -> Self {
        GpuBuffer {
            inner: Arc::new(inner),
            len,
            dtype,
        }
    }

    /// The raw wgpu buffer (usage `STORAGE | COPY_SRC | COPY_DST`).
    pub fn raw(&self) -> &wgpu::Buffer {
        self.inner.buffer()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the buffer holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element type.
    pub fn dtype(&self) -> DType {
        self.dtype
    }

    /// Bytes the elements occupy (rounded up to 4).
    pub fn byte_len(&self) -> u64 {
        self.dtype.storage_bytes(self.len)
    }

    /// Whether two handles share one allocation.
    pub fn same_allocation(&self, other: &GpuBuffer) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl fmt::Debug for GpuBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GpuBuffer")
            .field("len", &self.len)
            .field("dtype", &self.dtype)
            .field("capacity_bytes", &self.raw().size())
            .finish()
    }
}
