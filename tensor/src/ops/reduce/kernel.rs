//! Reduction kernels over a contiguous buffer viewed as `[outer, reduced, inner]`.
//!
//! Element `x[(o * reduced + r) * inner + j]` is the `r`-th value folded into output
//! `o * inner + j`. Two shapes of loop cover every case:
//! - `inner == 1` (reducing the last dims): each output is one contiguous row, folded with
//!   [`fold_slice`], which keeps `LANES` independent accumulators (so the loop vectorises) and
//!   splits pairwise above `LEAF` elements, so an f32 sum of `n` values has error growing with
//!   `log n` rather than `n` (PyTorch uses a similar cascade sum).
//! - `inner > 1`: whole rows of `inner` values are folded into an output row, again pairwise
//!   over the reduced index, working on tiles of `TILE` columns.
//!
//! Work is split across rayon only above [`PARALLEL_THRESHOLD`] input elements; the chunking
//! does not depend on the thread count, so results are the same on any machine.

use rayon::prelude::*;

use crate::cpu::strided::PARALLEL_THRESHOLD;

/// Independent accumulators in a row fold.
const LANES: usize = 8;
/// Longest run folded sequentially (per group of lanes) before splitting in halves.
const LEAF: usize = 128;
/// Rows folded sequentially into an output row before splitting in halves.
const COL_LEAF: usize = 16;
/// Output columns handled by one task in the `inner > 1` loop.
const TILE: usize = 256;
/// Rows longer than this are folded in chunks of this size (in parallel when large enough).
const CHUNK: usize = 1 << 14;

/// How a reduction's input is laid out; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Extent {
    /// Number of independent outer blocks.
    pub outer: usize,
    /// Number of values folded into each output.
    pub reduced: usize,
    /// Number of outputs per outer block (the distance between consecutive reduced values).
    pub inner: usize,
}

/// An associative fold: values of type `T` are mapped by `load` into an accumulator and merged
/// with `combine`, starting from `identity`.
pub(crate) trait Fold<T>: Sync {
    /// The accumulator.
    type Acc: Copy + Send + Sync;
    /// The neutral accumulator (0 for a sum, 1 for a product, ...).
    fn identity(&self) -> Self::Acc;
    /// Maps one input value into the accumulator type.
    fn load(&self, x: T) -> Self::Acc;
    /// Merges two accumulators; must be associative.
    fn combine(&self, a: Self::Acc, b: Self::Acc) -> Self::Acc;
}

/// A [`Fold`] made of closures.
pub(crate) struct FnFold<A, L, C> {
    /// See [`Fold::identity`].
    pub identity: A,
    /// See [`Fold::load`].
    pub load: L,
    /// See [`Fold::combine`].
    pub combine: C,
}

impl<T, A, L, C> Fold<T> for FnFold<A, L, C>
where
    A: Copy + Send + Sync,
    L: Fn(T) -> A + Sync,
    C: Fn(A, A) -> A + Sync,
{
    type Acc = A;
    #[inline(always)]
    fn identity(&self) -> A {
        self.identity
    }
    #[inline(always)]
    fn load(&self, x: T) -> A {
        (self.load)(x)
    }
    #[inline(always)]
    fn combine(&self, a: A, b: A) -> A {
        (self.combine)(a, b)
    }
}

/// Folds a contiguous run pairwise: `LANES` accumulators up to `LEAF` values, halves above.
/// Always inlined, so a caller compiled for wider vectors (AVX2) folds short runs with them.
#[inline(always)]
pub(crate) fn fold_slice<T: Copy, F: Fold<T>>(f: &F, x: &[T]) -> F::Acc {
    if x.len() > LEAF {
        let mid = (x.len() / 2).next_multiple_of(LANES);
        let (a, b) = x.split_at(mid);
        return f.combine(fold_halves(f, a), fold_halves(f, b));
    }
    fold_leaf(f, x)
}

/// [`fold_slice`] of the halves of a long run, as an ordinary (recursive) call.
fn fold_halves<T: Copy, F: Fold<T>>(f: &F, x: &[T]) -> F::Acc {
    fold_slice(f, x)
}

/// At most `LEAF` values with `LANES` accumulators.
#[inline(always)]
fn fold_leaf<T: Copy, F: Fold<T>>(f: &F, x: &[T]) -> F::Acc {
    let mut acc = [f.identity(); LANES];
    let mut chunks = x.chunks_exact(LANES);
    for c in &mut chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a = f.combine(*a, f.load(v));
        }
    }
    let mut tail = f.identity();
    for &v in chunks.remainder() {
        tail = f.combine(tail, f.load(v));
    }
    let quad = [
        f.combine(acc[0], acc[4]),
        f.combine(acc[1], acc[5]),
        f.combine(acc[2], acc[6]),
        f.combine(acc[3], acc[7]),
    ];
    let pair = f.combine(f.combine(quad[0], quad[2]), f.combine(quad[1], quad[3]));
    f.combine(pair, tail)
}

/// Merges accumulators pairwise (a balanced tree), `identity` for none.
fn combine_tree<T, F: Fold<T>>(f: &F, accs: &[F::Acc]) -> F::Acc {
    match accs {
        [] => f.identity(),
        [a] => *a,
        _ => {
            let (a, b) = accs.split_at(accs.len() / 2);
            f.combine(combine_tree(f, a), combine_tree(f, b))
        }
    }
}

/// Folds one row; rows longer than `CHUNK` go chunk by chunk, in parallel when `parallel`.
pub(crate) fn fold_row<T: Copy + Sync, F: Fold<T>>(f: &F, row: &[T], parallel: bool) -> F::Acc {
    if row.len() <= CHUNK {
        return fold_slice(f, row);
    }
    let accs: Vec<F::Acc> = if parallel {
        row.par_chunks(CHUNK).map(|c| fold_slice(f, c)).collect()
    } else {
        row.chunks(CHUNK).map(|c| fold_slice(f, c)).collect()
    };
    combine_tree(f, &accs)
}

/// Folds rows `rows` of a `[reduced, inner]` block into `out` (the columns `j0..j0 + out.len()`),
/// pairwise over rows. `scratch` holds at least `out.len() * scratch_depth(rows.len())` values.
fn fold_cols<T: Copy, F: Fold<T>>(
    f: &F,
    block: &[T],
    rows: std::ops::Range<usize>,
    inner: usize,
    j0: usize,
    out: &mut [F::Acc],
    scratch: &mut [F::Acc],
) {
    let w = out.len();
    if rows.len() <= COL_LEAF {
        out.fill(f.identity());
        for r in rows {
            let src = &block[r * inner + j0..][..w];
            for (o, &v) in out.iter_mut().zip(src) {
                *o = f.combine(*o, f.load(v));
            }
        }
        return;
    }
    let mid = rows.start + rows.len() / 2;
    fold_cols(f, block, rows.start..mid, inner, j0, out, scratch);
    let (tmp, rest) = scratch.split_at_mut(w);
    fold_cols(f, block, mid..rows.end, inner, j0, tmp, rest);
    for (o, &t) in out.iter_mut().zip(tmp.iter()) {
        *o = f.combine(*o, t);
    }
}

/// Number of scratch rows `fold_cols` needs for `rows` rows.
fn scratch_depth(mut rows: usize) -> usize {
    let mut depth = 0;
    while rows > COL_LEAF {
        rows = rows.div_ceil(2);
        depth += 1;
    }
    depth
}

/// Folds one `[reduced, inner]` block into its output row, tile by tile.
fn fold_block<T: Copy + Sync, F: Fold<T>>(
    f: &F,
    block: &[T],
    reduced: usize,
    out: &mut [F::Acc],
    parallel: bool,
) {
    let inner = out.len();
    let depth = scratch_depth(reduced);
    let tile = |t: usize, chunk: &mut [F::Acc]| {
        let mut scratch = vec![f.identity(); chunk.len() * depth];
        fold_cols(f, block, 0..reduced, inner, t * TILE, chunk, &mut scratch);
    };
    if parallel {
        out.par_chunks_mut(TILE)
            .enumerate()
            .for_each(|(t, c)| tile(t, c));
    } else {
        out.chunks_mut(TILE)
            .enumerate()
            .for_each(|(t, c)| tile(t, c));
    }
}

/// Folds `x` (laid out as `extent`) into `outer * inner` accumulators.
pub(crate) fn reduce<T: Copy + Sync, F: Fold<T>>(f: &F, x: &[T], extent: Extent) -> Vec<F::Acc> {
    let Extent {
        outer,
        reduced,
        inner,
    } = extent;
    debug_assert_eq!(x.len(), outer * reduced * inner);
    let mut out = vec![f.identity(); outer * inner];
    if reduced == 0 || out.is_empty() {
        return out;
    }
    let parallel = x.len() >= PARALLEL_THRESHOLD;
    let block_len = reduced * inner;
    if inner == 1 {
        let row =
            |(o, y): (usize, &mut F::Acc)| *y = fold_row(f, &x[o * reduced..][..reduced], parallel);
        if parallel {
            let per_task = (8192 / reduced).max(1);
            out.par_iter_mut()
                .enumerate()
                .with_min_len(per_task)
                .for_each(row);
        } else {
            out.iter_mut().enumerate().for_each(row);
        }
    } else {
        let block = |(o, y): (usize, &mut [F::Acc])| {
            fold_block(f, &x[o * block_len..][..block_len], reduced, y, parallel)
        };
        if parallel {
            let per_task = (8192 / block_len).max(1);
            out.par_chunks_mut(inner)
                .enumerate()
                .with_min_len(per_task)
                .for_each(block);
        } else {
            out.chunks_mut(inner).enumerate().for_each(block);
        }
    }
    out
}

/// Applies `f` to each contiguous row of `len` values (rows in parallel above the threshold).
pub(crate) fn map_rows<T, U, G>(x: &[T], len: usize, rows: usize, g: G) -> Vec<U>
where
    T: Sync,
    U: Send,
    G: Fn(&[T]) -> U + Sync,
{
    let row = |o: usize| g(&x[o * len..][..len]);
    if rows * len >= PARALLEL_THRESHOLD {
        let per_task = (8192 / len.max(1)).max(1);
        (0..rows)
            .into_par_iter()
            .with_min_len(per_task)
            .map(row)
            .collect()
    } else {
        (0..rows).map(row).collect()
    }
}
