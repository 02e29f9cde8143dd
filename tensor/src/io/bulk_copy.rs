//! Copying a tensor's bytes out of a memory-mapped file into a new buffer, fast.
//!
//! A fresh buffer of tens of MiB is what loading a checkpoint spends its time on: the kernel
//! faults in, zeroes and maps each page before the copy can write it. With 4 KiB pages that
//! is one fault per 4 KiB (MiniLM's word embeddings alone are 11,000 faults), so large
//! buffers ask for transparent huge pages (`MADV_HUGEPAGE`, as PyTorch's CPU allocator does
//! with `THP_MEM_ALLOC_ENABLE`), and the copy runs in parallel, so the faults are taken on
//! every core.

use std::mem::MaybeUninit;

use rayon::prelude::*;

/// Buffers at least this large (in bytes) get huge pages and a parallel copy.
const LARGE_BYTES: usize = 4 << 20;

/// Bytes copied per parallel task.
const TASK_BYTES: usize = 1 << 20;

/// A new `Vec<T>` holding `bytes` reinterpreted as `T`s (a little-endian plain copy);
/// `bytes.len()` is a whole number of elements (callers check).
pub(crate) fn copy_to_vec<T: bytemuck::Pod + Send>(bytes: &[u8]) -> Vec<T> {
    let len = bytes.len() / size_of::<T>();
    debug_assert_eq!(len * size_of::<T>(), bytes.len());
    let mut out = Vec::<T>::with_capacity(len);
    let spare = &mut out.spare_capacity_mut()[..len];
    // SAFETY: `MaybeUninit<T>` and `[MaybeUninit<u8>; size_of::<T>()]` have the same size and
    // no validity requirement, so the spare capacity may be viewed as uninitialised bytes.
    let dst: &mut [MaybeUninit<u8>] = unsafe {
        std::slice::from_raw_parts_mut(spare.as_mut_ptr().cast(), std::mem::size_of_val(spare))
    };
    if dst.len() >= LARGE_BYTES {
        advise_huge_pages(dst);
        dst.par_chunks_mut(TASK_BYTES)
            .zip(bytes.par_chunks(TASK_BYTES))
            .for_each(|(d, s)| copy_bytes(d, s));
    } else {
        copy_bytes(dst, bytes);
    }
    // SAFETY: the first `len` elements' bytes were all written from `bytes`, and every bit
    // pattern is a valid `T` (`Pod`).
    unsafe { out.set_len(len) };
    out
}

fn copy_bytes(dst: &mut [MaybeUninit<u8>], src: &[u8]) {
    assert_eq!(dst.len(), src.len());
    // SAFETY: both ranges are `src.len()` bytes long, valid, and cannot overlap (`dst` is
    // exclusively borrowed).
    unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), dst.as_mut_ptr().cast(), src.len()) }
}

/// Asks the kernel to back the whole 2 MiB pages inside `buf` with transparent huge pages.
/// Only advice: where THP is off or the call fails, the buffer simply keeps 4 KiB pages.
fn advise_huge_pages(buf: &mut [MaybeUninit<u8>]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = (buf.as_ptr() as usize).next_multiple_of(HUGE);
        let end = (buf.as_ptr() as usize + buf.len()) / HUGE * HUGE;
        if end > start {
            // SAFETY: `[start, end)` lies inside `buf`, memory this process owns and maps;
            // MADV_HUGEPAGE changes only how its pages are backed, never their contents.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = buf;
}
