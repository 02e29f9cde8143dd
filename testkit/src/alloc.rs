//! [`LargestAllocation`]: the system allocator, recording the largest single request.
//!
//! A test binary installs it with
//! `#[global_allocator] static GLOBAL: LargestAllocation = LargestAllocation;` and keeps only
//! fuzz tests in that binary, so the record sees only their allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// One gibibyte: the bound the fuzz tests hold every allocation under.
pub const GIB: usize = 1 << 30;

/// Forwards every call to [`System`] unchanged and records the largest size requested by an
/// `alloc` or `realloc` since the last [`LargestAllocation::reset`].
pub struct LargestAllocation;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

impl LargestAllocation {
    /// Forgets the sizes seen so far.
    pub fn reset() {
        LARGEST.store(0, Ordering::Relaxed);
    }

    /// The largest single allocation, in bytes, since the last [`LargestAllocation::reset`]
    /// (or the start of the process).
    pub fn largest() -> usize {
        LARGEST.load(Ordering::Relaxed)
    }

    /// Panics naming the size when an allocation of [`GIB`] or more was made.
    pub fn assert_under_a_gib() {
        let largest = Self::largest();
        assert!(largest < GIB, "an allocation of {largest} bytes");
    }
}

// SAFETY: forwards every call to the system allocator unchanged; only records sizes.
unsafe impl GlobalAlloc for LargestAllocation {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        // SAFETY: same layout as requested by the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System.alloc` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}
