//! Allocation, upload and staging read-back.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dtype::{DType, Element};
use crate::error::{GpuError, Result};
use crate::pool::BufferKind;

impl GpuContext {
    /// Checks that `len` elements of `dtype` fit one storage binding (and u32 indexing).
    pub fn check_fits(&self, len: usize, dtype: DType) -> Result<u64> {
        let bytes = (len as u64).saturating_mul(dtype.size_bytes() as u64);
        let limit = self.max_binding_bytes();
        if bytes > limit || len > u32::MAX as usize {
            return Err(GpuError::BufferTooLarge {
                requested: bytes,
                limit,
            });
        }
        Ok(dtype.storage_bytes(len))
    }

    /// An uninitialised (stale-content) buffer of `len` elements from the pool.
    ///
    /// Errors with [`GpuError::BufferTooLarge`] when it cannot be bound to a kernel.
    pub fn alloc(&self, len: usize, dtype: DType) -> Result<GpuBuffer> {
        let bytes = self.check_fits(len, dtype)?;
        Ok(GpuBuffer::new(
            self.pool.get(BufferKind::Storage, bytes.max(4)),
            len,
            dtype,
        ))
    }

    /// A buffer of `len` zeros (`torch.zeros`).
    pub fn zeros(&self, len: usize, dtype: DType) -> Result<GpuBuffer> {
        let buf = self.alloc(len, dtype)?;
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.clear_buffer(buf.raw(), 0, Some(buf.byte_len().max(4)));
        self.queue.submit([enc.finish()]);
        Ok(buf)
    }

    /// Copies host data to a new device buffer (`torch.Tensor.to("cuda")`).
    pub fn upload<T: Element>(&self, data: &[T]) -> Result<GpuBuffer> {
        let buf = self.alloc(data.len(), T::DTYPE)?;
        let bytes: &[u8] = bytemuck::cast_slice(data);
        if bytes.len().is_multiple_of(4) {
            if !bytes.is_empty() {
                self.queue.write_buffer(buf.raw(), 0, bytes);
            }
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(bytes.len().div_ceil(4) * 4, 0);
            self.queue.write_buffer(buf.raw(), 0, &padded);
        }
        Ok(buf)
    }

    /// Copies a device buffer back to the host, blocking until queued work is done
    /// (`torch.Tensor.cpu().tolist()`).
    ///
    /// Errors: [`GpuError::DTypeMismatch`] when `T` is not the buffer's type; any device error
    /// raised since the last check.
    pub fn to_vec<T: Element>(&self, buf: &GpuBuffer) -> Result<Vec<T>> {
        if buf.dtype() != T::DTYPE {
            return Err(GpuError::DTypeMismatch {
                op: "to_vec",
                expected: buf.dtype(),
                found: T::DTYPE,
            });
        }
        if buf.is_empty() {
            self.sync()?;
            return Ok(Vec::new());
        }
        let bytes = buf.byte_len();
        let staging = self.pool.get(BufferKind::Staging, bytes);
        let mut enc = self.device.create_command_encoder(&Default::default());
        enc.copy_buffer_to_buffer(buf.raw(), 0, staging.buffer(), 0, Some(bytes));
        self.queue.submit([enc.finish()]);
        let (tx, rx) = std::sync::mpsc::channel();
        staging
            .buffer()
            .map_async(wgpu::MapMode::Read, 0..bytes, move |r| {
                // The receiver lives until `recv` below returns.
                let _ = tx.send(r);
            });
        let read = || -> Result<Vec<T>> {
            self.sync()?;
            rx.recv()
                .map_err(|e| GpuError::Map(e.to_string()))?
                .map_err(|e| GpuError::Map(e.to_string()))?;
            let view = staging
                .buffer()
                .get_mapped_range(0..bytes)
                .map_err(|e| GpuError::Map(e.to_string()))?;
            let n = buf.len() * T::DTYPE.size_bytes();
            Ok(bytemuck::pod_collect_to_vec::<u8, T>(&view[..n]))
        };
        match read() {
            Ok(out) => {
                staging.buffer().unmap();
                Ok(out)
            }
            Err(e) => {
                // The staging buffer may still be mapped or mapping: never recycle it.
                staging.discard();
                Err(e)
            }
        }
    }
}
