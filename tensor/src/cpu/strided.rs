//! Visiting strided (possibly broadcast) views row by row, serially for small tensors and with
//! rayon above [`PARALLEL_THRESHOLD`] elements.

use std::mem::MaybeUninit;

use rayon::prelude::*;

use crate::cpu::{buffer_pool, simd};
use crate::layout::{Layout, coalesce};

/// Element count above which kernels split work across rayon threads. Below it, a kernel runs
/// on the calling thread: a thread hop costs more than the work.
pub(crate) const PARALLEL_THRESHOLD: usize = 1 << 15;

/// Elements of work below which a rayon task is not split further, unless that would leave
/// fewer than [`TASKS_PER_THREAD`] tasks per thread: large enough that task hand-offs stay a
/// small part of a memory-bound pass (sums over 4096×1024: 8K elements per task cost 12%
/// against 64K).
pub(crate) const TASK_ELEMENTS: usize = 1 << 16;
/// Tasks per rayon thread a parallel pass keeps at least, so medium tensors still use every
/// thread and uneven tasks balance.
const TASKS_PER_THREAD: usize = 4;

/// Rows of `row_len` elements handed to one rayon task at least, out of `rows`: about
/// [`TASK_ELEMENTS`] elements, fewer when that would leave threads idle.
pub(crate) fn rows_per_task(rows: usize, row_len: usize) -> usize {
    let by_size = TASK_ELEMENTS / row_len.max(1);
    let by_threads = rows.div_ceil(TASKS_PER_THREAD * rayon::current_num_threads());
    by_size.min(by_threads).max(1)
}

/// Calls `fill(first_row, chunk)` over `out` cut into whole rows of `row_len`: one call on
/// this thread for small outputs, rayon tasks of [`rows_per_task`] rows above
/// [`PARALLEL_THRESHOLD`].
fn fill_by_rows<U: Send>(out: &mut [U], row_len: usize, fill: impl Fn(usize, &mut [U]) + Sync) {
    if out.len() >= PARALLEL_THRESHOLD {
        let per_task = rows_per_task(out.len() / row_len.max(1), row_len);
        out.par_chunks_mut(per_task * row_len)
            .enumerate()
            .for_each(|(t, chunk)| fill(t * per_task, chunk));
    } else {
        fill(0, out);
    }
}

/// A pooled vector of `len` elements written by `write(start, slots)`, split like
/// [`fill_by_rows`] with one-element rows. `slots` are the output elements
/// `start..start + slots.len()`; `write` must initialise every one of them (it is
/// crate-internal: callers zip `slots` with source slices of its length).
///
/// Plain loops over `slots` vectorise; collecting a rayon iterator (`par_extend`) writes one
/// element at a time through a bounds-checked sink, 2 lanes at best.
pub(crate) fn fill_contiguous<U: Send + 'static>(
    len: usize,
    write: impl Fn(usize, &mut [MaybeUninit<U>]) + Sync,
) -> Vec<U> {
    let mut out = buffer_pool::with_capacity(len);
    fill_by_rows(&mut out.spare_capacity_mut()[..len], 1, |start, slots| {
        simd::widest(
            #[inline(always)]
            || write(start, slots),
        )
    });
    // SAFETY: `write` initialised all of the first `len` slots (its contract), and the
    // capacity is at least `len`.
    unsafe { out.set_len(len) };
    out
}

/// Walks rows `rows` of a view whose innermost dim has been split off: `outer` are the sizes of
/// the other dims and `strides[k]` their strides for operand `k`. Calls `f(row, offsets)` with
/// the storage offset of each operand at the start of the row. Always inlined, so that a
/// caller built for wider vectors (see [`simd::widest`]) builds `f`'s loops for them too.
#[inline(always)]
pub(crate) fn for_each_row<const K: usize>(
    outer: &[usize],
    strides: [&[usize]; K],
    bases: [usize; K],
    rows: std::ops::Range<usize>,
    mut f: impl FnMut(usize, [usize; K]),
) {
    if rows.is_empty() {
        return;
    }
    let mut index = vec![0; outer.len()];
    let mut rem = rows.start;
    for d in (0..outer.len()).rev() {
        index[d] = rem % outer[d];
        rem /= outer[d];
    }
    let mut offsets = bases;
    for (k, off) in offsets.iter_mut().enumerate() {
        *off += index
            .iter()
            .zip(strides[k])
            .map(|(i, s)| i * s)
            .sum::<usize>();
    }
    for row in rows {
        f(row, offsets);
        for d in (0..outer.len()).rev() {
            index[d] += 1;
            for k in 0..K {
                offsets[k] += strides[k][d];
            }
            if index[d] < outer[d] {
                break;
            }
            for k in 0..K {
                offsets[k] -= strides[k][d] * outer[d];
            }
            index[d] = 0;
        }
    }
}

/// Applies `f` to every element of a strided view, producing a contiguous vector.
pub(crate) fn map1<T, U, F>(src: &[T], layout: &Layout, f: F) -> Vec<U>
where
    T: Copy + Send + Sync,
    U: Copy + Default + Send + Sync + 'static,
    F: Fn(T) -> U + Sync + Send,
{
    let numel = layout.shape().numel();
    if let Some(range) = layout.contiguous_range() {
        let src = &src[range];
        return fill_contiguous(
            numel,
            #[inline(always)]
            |start, slots| {
                let src = &src[start..start + slots.len()];
                for (d, &x) in slots.iter_mut().zip(src) {
                    d.write(f(x));
                }
            },
        );
    }
    let (dims, strides) = layout.coalesced();
    let (outer, inner) = dims.split_at(dims.len() - 1);
    let (outer_strides, inner_stride) = strides.split_at(strides.len() - 1);
    let (row_len, inner_stride) = (inner[0], inner_stride[0]);
    let mut out = buffer_pool::scratch(numel, U::default());
    if numel == 0 {
        return out;
    }
    // Every closure on the way to the row loop is `inline(always)`, so the loop is compiled
    // inside `simd::widest`'s wider target instead of for the baseline.
    fill_by_rows(&mut out, row_len, |first_row, chunk: &mut [U]| {
        simd::widest(
            #[inline(always)]
            || {
                let rows = first_row..first_row + chunk.len() / row_len;
                for_each_row(
                    outer,
                    [outer_strides],
                    [layout.offset()],
                    rows.clone(),
                    #[inline(always)]
                    |row, [o]| {
                        let dst = &mut chunk[(row - rows.start) * row_len..][..row_len];
                        for (j, d) in dst.iter_mut().enumerate() {
                            *d = f(src[o + j * inner_stride]);
                        }
                    },
                );
            },
        )
    });
    out
}

/// Applies `f` elementwise to two views already broadcast to the same shape (`la`, `lb` share
/// `dims`), producing a contiguous vector.
pub(crate) fn map2<A, B, U, F>(a: &[A], la: &Layout, b: &[B], lb: &Layout, f: F) -> Vec<U>
where
    A: Copy + Send + Sync,
    B: Copy + Send + Sync,
    U: Copy + Default + Send + Sync + 'static,
    F: Fn(A, B) -> U + Sync + Send,
{
    let numel = la.shape().numel();
    if let (Some(ra), Some(rb)) = (la.contiguous_range(), lb.contiguous_range()) {
        let (a, b) = (&a[ra], &b[rb]);
        return fill_contiguous(
            numel,
            #[inline(always)]
            |start, slots| {
                let end = start + slots.len();
                for ((d, &x), &y) in slots.iter_mut().zip(&a[start..end]).zip(&b[start..end]) {
                    d.write(f(x, y));
                }
            },
        );
    }
    let mut out = buffer_pool::scratch(numel, U::default());
    let Some((dims, strides)) = coalesce(la.dims(), &[la.strides(), lb.strides()]) else {
        // 0-d: a single element.
        out[0] = f(a[la.offset()], b[lb.offset()]);
        return out;
    };
    if numel == 0 {
        return out;
    }
    let n = dims.len();
    let row_len = dims[n - 1];
    let (sa, sb) = (strides[0][n - 1], strides[1][n - 1]);
    let outer = &dims[..n - 1];
    let (oa, ob) = (&strides[0][..n - 1], &strides[1][..n - 1]);
    // Every closure on the way to the row loop is `inline(always)`, so the loop is compiled
    // inside `simd::widest`'s wider target instead of for the baseline.
    fill_by_rows(&mut out, row_len, |first_row, chunk: &mut [U]| {
        simd::widest(
            #[inline(always)]
            || {
                let rows = first_row..first_row + chunk.len() / row_len;
                for_each_row(
                    outer,
                    [oa, ob],
                    [la.offset(), lb.offset()],
                    rows.clone(),
                    #[inline(always)]
                    |row, [pa, pb]| {
                        let dst = &mut chunk[(row - rows.start) * row_len..][..row_len];
                        match (sa, sb) {
                            (1, 0) => {
                                let y = b[pb];
                                for (d, &x) in dst.iter_mut().zip(&a[pa..pa + row_len]) {
                                    *d = f(x, y);
                                }
                            }
                            (0, 1) => {
                                let x = a[pa];
                                for (d, &y) in dst.iter_mut().zip(&b[pb..pb + row_len]) {
                                    *d = f(x, y);
                                }
                            }
                            (1, 1) => {
                                for ((d, &x), &y) in dst
                                    .iter_mut()
                                    .zip(&a[pa..pa + row_len])
                                    .zip(&b[pb..pb + row_len])
                                {
                                    *d = f(x, y);
                                }
                            }
                            _ => {
                                for (j, d) in dst.iter_mut().enumerate() {
                                    *d = f(a[pa + j * sa], b[pb + j * sb]);
                                }
                            }
                        }
                    },
                );
            },
        )
    });
    out
}
