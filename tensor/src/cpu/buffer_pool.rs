//! A bounded cache of freed large host buffers, reused by the next op that needs one of about
//! the same size (the CPU counterpart of PyTorch's caching allocators).
//!
//! Why: a training step allocates and frees the same few large activations every iteration.
//! glibc hands allocations above its mmap threshold (at most 32 MiB) straight back to the
//! kernel, so each fresh buffer costs a page fault and a zeroing per 4 KiB page — measured at
//! two thirds of a layer_norm forward+backward on 64×128×768 floats. Buffers of at least
//! [`MIN_POOLED_BYTES`] are therefore kept here when their tensor's storage is dropped, up to
//! [`cache_limit`] bytes in all (oldest evicted first), and handed out again by
//! [`with_capacity`], [`filled`] or [`scratch`]. Smaller buffers go straight back to the allocator, which reuses them well.

use std::any::{Any, TypeId};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::cpu::strided;

/// Buffers smaller than this (in bytes) are never cached.
pub const MIN_POOLED_BYTES: usize = 1 << 20;

/// Default bound on the bytes held by the cache: 1 GiB.
const DEFAULT_LIMIT_BYTES: usize = 1 << 30;

/// A cached buffer may serve a request for at least half of its capacity.
const MAX_SLACK_FACTOR: usize = 2;

/// One freed buffer: its element type, capacity in bytes, and the `Vec<T>` itself.
struct Cached {
    type_id: TypeId,
    bytes: usize,
    buffer: Box<dyn Any + Send>,
}

/// The cached buffers, oldest first, and their total size.
struct FreeList {
    buffers: Vec<Cached>,
    bytes: usize,
}

static FREE_LIST: Mutex<FreeList> = Mutex::new(FreeList {
    buffers: Vec::new(),
    bytes: 0,
});

static LIMIT_BYTES: AtomicUsize = AtomicUsize::new(DEFAULT_LIMIT_BYTES);

fn free_list() -> std::sync::MutexGuard<'static, FreeList> {
    // A panic while holding the lock cannot leave the list inconsistent (every mutation is a
    // single push/remove plus a counter update), so a poisoned lock is still usable.
    FREE_LIST
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FreeList {
    /// Drops the oldest buffers until at most `limit` bytes remain.
    fn evict_to(&mut self, limit: usize) {
        let mut drop_count = 0;
        let mut bytes = self.bytes;
        while bytes > limit && drop_count < self.buffers.len() {
            bytes -= self.buffers[drop_count].bytes;
            drop_count += 1;
        }
        self.buffers.drain(..drop_count);
        self.bytes = bytes;
    }
}

/// An empty `Vec<T>` with room for at least `len` elements, reusing a cached buffer when one of
/// a fitting size is free. Callers fill it with `extend`, `resize` or through its spare capacity.
pub(crate) fn with_capacity<T: Send + 'static>(len: usize) -> Vec<T> {
    match take(len) {
        Some(mut buffer) => {
            buffer.clear();
            buffer
        }
        None => Vec::with_capacity(len),
    }
}

/// A cached buffer of element type `T` with room for `len` elements and at most
/// [`MAX_SLACK_FACTOR`] times that, as it was recycled (its old length and values kept).
fn take<T: Send + 'static>(len: usize) -> Option<Vec<T>> {
    let bytes = len.saturating_mul(size_of::<T>());
    if bytes < MIN_POOLED_BYTES {
        return None;
    }
    let type_id = TypeId::of::<T>();
    let reused = {
        let mut list = free_list();
        let best = list
            .buffers
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.type_id == type_id && c.bytes >= bytes && c.bytes <= bytes * MAX_SLACK_FACTOR
            })
            .min_by_key(|(_, c)| c.bytes)
            .map(|(i, _)| i);
        best.map(|i| {
            let cached = list.buffers.remove(i);
            list.bytes -= cached.bytes;
            cached.buffer
        })
    };
    reused
        .and_then(|b| b.downcast::<Vec<T>>().ok())
        .map(|buffer| *buffer)
}

/// `len` copies of `value` in a (possibly reused) buffer: the pooled `vec![value; len]`, filled
/// by several threads when large.
pub(crate) fn filled<T: Clone + Send + Sync + 'static>(len: usize, value: T) -> Vec<T> {
    strided::fill_contiguous(
        len,
        #[inline(always)]
        |_, slots| {
            for slot in slots {
                slot.write(value.clone());
            }
        },
    )
}

/// A buffer of `len` elements for an output the caller overwrites completely. A reused buffer
/// keeps the values of the tensor that owned it (still valid elements, never read), which
/// saves zeroing it; only elements beyond its old length are set to `fill`.
pub(crate) fn scratch<T: Clone + Send + 'static>(len: usize, fill: T) -> Vec<T> {
    let mut buffer = take(len).unwrap_or_else(|| Vec::with_capacity(len));
    if buffer.len() >= len {
        buffer.truncate(len);
    } else {
        buffer.resize(len, fill);
    }
    buffer
}

/// Takes back a buffer whose tensor storage is being dropped. Small buffers, and any buffer
/// when the cache is full of newer ones, are freed.
pub(crate) fn recycle<T: Send + 'static>(buffer: Vec<T>) {
    let bytes = buffer.capacity().saturating_mul(size_of::<T>());
    let limit = LIMIT_BYTES.load(Ordering::Relaxed);
    if bytes < MIN_POOLED_BYTES || bytes > limit {
        return;
    }
    let mut list = free_list();
    list.evict_to(limit - bytes);
    list.buffers.push(Cached {
        type_id: TypeId::of::<T>(),
        bytes,
        buffer: Box::new(buffer),
    });
    list.bytes += bytes;
}

/// Frees every cached host buffer (PyTorch's `torch.cuda.empty_cache()`, for host memory).
pub fn empty_cache() {
    let mut list = free_list();
    list.buffers.clear();
    list.bytes = 0;
}

/// Bytes of freed tensor buffers currently held for reuse (like
/// `torch.cuda.memory_reserved() - memory_allocated()`).
pub fn cached_bytes() -> usize {
    free_list().bytes
}

/// The most bytes the cache may hold (default 1 GiB).
pub fn cache_limit() -> usize {
    LIMIT_BYTES.load(Ordering::Relaxed)
}

/// Sets the most bytes of freed buffers kept for reuse; `0` turns caching off. Evicts the
/// oldest buffers at once if more is held.
pub fn set_cache_limit(bytes: usize) {
    LIMIT_BYTES.store(bytes, Ordering::Relaxed);
    free_list().evict_to(bytes);
}
