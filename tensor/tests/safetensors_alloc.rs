//! The safetensors reader never allocates based on an untrusted length field: with a counting
//! global allocator, hostile headers (absurd header length, huge shapes, huge offsets) must be
//! rejected without any single allocation much larger than the input itself.
//!
//! This binary holds one test so no other test's allocations are counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use kiln_tensor::safetensors;

struct Counting;

static ARMED: AtomicBool = AtomicBool::new(false);
static LARGEST: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only records sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ARMED.load(Ordering::Relaxed) {
            LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: same layout as requested by the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ARMED.load(Ordering::Relaxed) {
            LARGEST.fetch_max(new_size, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System.alloc` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn file(declared: u64, header: &str, data: &[u8]) -> Vec<u8> {
    let mut out = declared.to_le_bytes().to_vec();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out
}

/// The largest single allocation made while loading `bytes`, which must fail.
fn largest_allocation(bytes: &[u8]) -> usize {
    LARGEST.store(0, Ordering::Relaxed);
    ARMED.store(true, Ordering::Relaxed);
    let result = safetensors::load_from_bytes(bytes);
    ARMED.store(false, Ordering::Relaxed);
    assert!(result.is_err(), "hostile input was accepted");
    LARGEST.load(Ordering::Relaxed)
}

#[test]
fn hostile_length_fields_do_not_drive_allocations() {
    let h = |s: &str| file(s.len() as u64, s, &[0; 16]);
    let cases = [
        ("header length u64::MAX", file(u64::MAX, "{}", &[])),
        ("header length 99 MB", file(99_000_000, "{}", &[])),
        ("header length 2^40", file(1 << 40, "{}", &[])),
        (
            "huge shape",
            h(
                r#"{"w": {"dtype": "F32", "shape": [1073741824, 1024], "data_offsets": [0, 4398046511104]}}"#,
            ),
        ),
        (
            "huge offsets",
            h(
                r#"{"w": {"dtype": "U8", "shape": [1099511627776], "data_offsets": [0, 1099511627776]}}"#,
            ),
        ),
        (
            "overflowing shape",
            h(
                r#"{"w": {"dtype": "F64", "shape": [0, 9223372036854775807], "data_offsets": [0, 0]}}"#,
            ),
        ),
        (
            "bad tensor after good",
            h(
                r#"{"a": {"dtype": "U8", "shape": [16], "data_offsets": [0, 16]}, "b": {"dtype": "I64", "shape": [268435456], "data_offsets": [16, 2147483664]}}"#,
            ),
        ),
    ];
    for (what, bytes) in &cases {
        let largest = largest_allocation(bytes);
        assert!(
            largest <= 4096,
            "{what}: an allocation of {largest} bytes for a {}-byte input",
            bytes.len()
        );
    }
}
