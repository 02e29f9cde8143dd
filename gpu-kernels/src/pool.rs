//! Size-bucketed buffer pool: storage buffers are recycled by power-of-two size class.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How a pooled buffer is used; buffers of different kinds never share a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BufferKind {
    /// Kernel input/output: `STORAGE | COPY_SRC | COPY_DST`.
    Storage,
    /// Read-back staging: `MAP_READ | COPY_DST`.
    Staging,
}

impl BufferKind {
    fn usage(self) -> wgpu::BufferUsages {
        match self {
            BufferKind::Storage => {
                wgpu::BufferUsages::STORAGE
                    | wgpu::BufferUsages::COPY_SRC
                    | wgpu::BufferUsages::COPY_DST
            }
            BufferKind::Staging => wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        }
    }
}

/// Free lists per (kind, bucket size in bytes), plus the bytes they hold.
#[derive(Default)]
struct FreeLists {
    lists: HashMap<(BufferKind, u64), Vec<wgpu::Buffer>>,
    cached_bytes: u64,
}

/// Counters describing the pool's behaviour (for tests and diagnostics).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Buffers created with `create_buffer`.
    pub created: u64,
    /// Requests served from a free list.
    pub reused: u64,
    /// Bytes currently parked in free lists.
    pub cached_bytes: u64,
}

/// The shared state behind [`BufferPool`]; pooled buffers hold an `Arc` to it.
pub(crate) struct PoolInner {
    device: wgpu::Device,
    free: Mutex<FreeLists>,
    stats: Mutex<PoolStats>,
    /// Largest size a bucket may have (the binding limit), so rounding up never breaks it.
    max_bucket: u64,
    /// Beyond this many cached bytes, returned buffers are destroyed instead of kept.
    max_cached_bytes: u64,
}

/// Recycles wgpu buffers by power-of-two size class. Dropping a [`PooledBuffer`] returns it here.
///
/// Reuse is safe without extra synchronisation because every kernel is submitted to the one
/// queue in order: a later writer of a recycled buffer runs after all earlier readers.
#[derive(Clone)]
pub(crate) struct BufferPool {
    inner: Arc<PoolInner>,
}

impl BufferPool {
    pub(crate) fn new(device: wgpu::Device, max_bucket: u64, max_cached_bytes: u64) -> Self {
        BufferPool {
            inner: Arc::new(PoolInner {
                device,
                free: Mutex::new(FreeLists::default()),
                stats: Mutex::new(PoolStats::default()),
                max_bucket,
                max_cached_bytes,
            }),
        }
    }

    /// The bucket (capacity in bytes) a request of `bytes` lands in: the next power of two,
    /// at least 16, capped at the binding limit.
    pub(crate) fn bucket_of(&self, bytes: u64) -> u64 {
        let rounded = bytes.max(16).next_power_of_two();
        rounded
            .min(self.inner.max_bucket)
            .max(bytes.div_ceil(4) * 4)
    }

    /// A buffer of at least `bytes` bytes (callers check the limit first).
    pub(crate) fn get(&self, kind: BufferKind, bytes: u64) -> PooledBuffer {
        let bucket = self.bucket_of(bytes);
        let recycled = {
            let mut free = lock(&self.inner.free);
            let hit = free.lists.get_mut(&(kind, bucket)).and_then(Vec::pop);
            if hit.is_some() {
                free.cached_bytes -= bucket;
            }
            hit
        };
        let buffer = match recycled {
            Some(b) => {
                lock(&self.inner.stats).reused += 1;
                b
            }
            None => {
                lock(&self.inner.stats).created += 1;
                self.inner.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("kiln pooled buffer"),
                    size: bucket,
                    usage: kind.usage(),
                    mapped_at_creation: false,
                })
            }
        };
        PooledBuffer {
            buffer: Some(buffer),
            kind,
            bucket,
            pool: self.inner.clone(),
        }
    }

    pub(crate) fn stats(&self) -> PoolStats {
        let mut s = *lock(&self.inner.stats);
        s.cached_bytes = lock(&self.inner.free).cached_bytes;
        s
    }

    /// Destroys every cached buffer.
    pub(crate) fn clear(&self) {
        let mut free = lock(&self.inner.free);
        free.lists.clear();
        free.cached_bytes = 0;
    }
}

/// A wgpu buffer on loan from the pool; returned to its bucket on drop.
pub(crate) struct PooledBuffer {
    buffer: Option<wgpu::Buffer>,
    kind: BufferKind,
    bucket: u64,
    pool: Arc<PoolInner>,
}

impl PooledBuffer {
    pub(crate) fn buffer(&self) -> &wgpu::Buffer {
        self.buffer
            .as_ref()
            .expect("pooled buffer is present until drop")
    }
}

impl PooledBuffer {
    /// Destroys the buffer instead of returning it to the pool (used when its state is unknown,
    /// e.g. a read-back that failed while mapping).
    pub(crate) fn discard(mut self) {
        if let Some(b) = self.buffer.take() {
            b.destroy();
        }
    }
}

impl Drop for PooledBuffer {
    fn drop(&mut self) {
        let Some(buffer) = self.buffer.take() else {
            return;
        };
        let mut free = lock(&self.pool.free);
        if free.cached_bytes + self.bucket <= self.pool.max_cached_bytes {
            free.cached_bytes += self.bucket;
            free.lists
                .entry((self.kind, self.bucket))
                .or_default()
                .push(buffer);
        }
    }
}

/// Locks a mutex, recovering the data if another thread panicked while holding it.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
