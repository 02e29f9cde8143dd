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

use crate::cpu::strided::{PARALLEL_THRESHOLD, rows_per_task};

/// Independent accumulators in a row fold: four AVX2 registers of f32, enough to hide the
/// latency of the adds.
pub(crate) const LANES: usize = 32;
/// Longest run folded sequentially (per group of lanes) before merging pairwise.
const LEAF: usize = 1024;
/// Rows folded sequentially into an output row before splitting in halves.
const COL_LEAF: usize = 64;
/// Output columns whose accumulators one pass over a leaf's rows keeps in registers (eight
/// AVX2 registers of f32).
const STRIP: usize = 64;
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
    /// Merges a leaf's `LANES` accumulators pairwise (lane `i` with lane `i + width`, halving
    /// `width`). A fold may override it with vector code that merges in that same order.
    #[inline(always)]
    fn merge(&self, acc: [Self::Acc; LANES]) -> Self::Acc {
        merge_lanes(acc, |a, b| self.combine(a, b))
    }
}

/// Accumulator types whose [`LANES`] partial sums merge in vector registers.
pub(crate) trait LaneSum: Copy + Send + Sync + std::ops::Add<Output = Self> {
    /// `0`.
    const ZERO: Self;
    /// The lanes summed in [`Fold::merge`]'s order.
    fn sum_lanes(acc: [Self; LANES]) -> Self;
    /// Sixteen lanes summed in the same order, in vector registers when `WIDE` (see
    /// [`crate::cpu::simd::sum16`]).
    fn sum16<const WIDE: bool>(acc: [Self; 16]) -> Self;
}

impl LaneSum for f32 {
    const ZERO: f32 = 0.0;
    #[inline(always)]
    fn sum_lanes(acc: [f32; LANES]) -> f32 {
        crate::cpu::simd::sum32(acc)
    }
    #[inline(always)]
    fn sum16<const WIDE: bool>(acc: [f32; 16]) -> f32 {
        crate::cpu::simd::sum16::<WIDE>(acc)
    }
}

impl LaneSum for f64 {
    const ZERO: f64 = 0.0;
    #[inline(always)]
    fn sum_lanes(acc: [f64; LANES]) -> f64 {
        merge_lanes(acc, |a, b| a + b)
    }
    #[inline(always)]
    fn sum16<const WIDE: bool>(acc: [f64; 16]) -> f64 {
        merge_lanes(acc, |a, b| a + b)
    }
}

/// The sum of `load(x)` over a run (`Σ load(x)`), whose lane merge runs in vector registers
/// for f32 ([`LaneSum`]); otherwise the same fold as an [`FnFold`] adding its values.
pub(crate) struct SumOf<L>(pub L);

impl<T, A, L> Fold<T> for SumOf<L>
where
    A: LaneSum,
    L: Fn(T) -> A + Sync,
{
    type Acc = A;
    #[inline(always)]
    fn identity(&self) -> A {
        A::ZERO
    }
    #[inline(always)]
    fn load(&self, x: T) -> A {
        (self.0)(x)
    }
    #[inline(always)]
    fn combine(&self, a: A, b: A) -> A {
        a + b
    }
    #[inline(always)]
    fn merge(&self, acc: [A; LANES]) -> A {
        A::sum_lanes(acc)
    }
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

/// Folds a contiguous run pairwise: `LANES` accumulators within each leaf of `LEAF` values,
/// leaves merged as a binary counter does (two partial results of equal rank merge into one of
/// the next rank), which is the balanced pairwise tree when the leaf count is a power of two.
/// Always inlined and free of recursion, so a caller compiled for wider vectors (AVX2) folds the
/// whole run with them.
#[inline(always)]
pub(crate) fn fold_slice<T: Copy, F: Fold<T>>(f: &F, x: &[T]) -> F::Acc {
    if x.len() <= LEAF {
        return fold_leaf(f, x);
    }
    // `partial[k]` holds the fold of 2^k consecutive leaves while bit k of `leaves` is set.
    let mut partial = [f.identity(); usize::BITS as usize];
    let mut leaves = 0usize;
    for leaf in x.chunks(LEAF) {
        let mut acc = fold_leaf(f, leaf);
        let mut rank = 0;
        while leaves & (1 << rank) != 0 {
            acc = f.combine(partial[rank], acc);
            rank += 1;
        }
        partial[rank] = acc;
        leaves += 1;
    }
    let mut total: Option<F::Acc> = None;
    for (rank, &p) in partial.iter().enumerate() {
        if leaves & (1 << rank) != 0 {
            total = Some(match total {
                None => p,
                Some(t) => f.combine(p, t),
            });
        }
    }
    total.unwrap_or_else(|| f.identity())
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
    f.combine(f.merge(acc), tail)
}

/// Merges `L` (a power of two) lane accumulators pairwise: lane `i` with lane `i + width`,
/// halving `width`. Kept out of line: inlined next to the loop that filled the lanes, it leads
/// LLVM's SLP vectoriser to split that loop into two-lane pieces instead of whole AVX2
/// registers.
#[inline(never)]
pub(crate) fn merge_lanes<A: Copy, const L: usize>(
    mut acc: [A; L],
    combine: impl Fn(A, A) -> A,
) -> A {
    debug_assert!(L.is_power_of_two());
    let mut width = L / 2;
    while width > 0 {
        for i in 0..width {
            acc[i] = combine(acc[i], acc[i + width]);
        }
        width /= 2;
    }
    acc[0]
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
        return fold_run(f, row);
    }
    let accs: Vec<F::Acc> = if parallel {
        row.par_chunks(CHUNK).map(|c| fold_run(f, c)).collect()
    } else {
        row.chunks(CHUNK).map(|c| fold_run(f, c)).collect()
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
        fold_cols_leaf(f, block, rows, inner, j0, out);
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

/// Folds at most `COL_LEAF` rows into `out`, `STRIP` columns at a time with the strip's
/// accumulators held in registers, so each input value is loaded once and each output stored
/// once. Always inlined; [`fold_cols_leaf`] picks the vector width.
#[inline(always)]
fn fold_strips<T: Copy, F: Fold<T>>(
    f: &F,
    block: &[T],
    rows: std::ops::Range<usize>,
    inner: usize,
    j0: usize,
    out: &mut [F::Acc],
) {
    let done = out.len() / STRIP * STRIP;
    let (full, rest) = out.split_at_mut(done);
    for (s, o) in full.chunks_exact_mut(STRIP).enumerate() {
        let mut acc = [f.identity(); STRIP];
        for r in rows.clone() {
            let src = &block[r * inner + j0 + s * STRIP..][..STRIP];
            for (a, &v) in acc.iter_mut().zip(src) {
                *a = f.combine(*a, f.load(v));
            }
        }
        o.copy_from_slice(&acc);
    }
    rest.fill(f.identity());
    for r in rows {
        let src = &block[r * inner + j0 + done..][..rest.len()];
        for (a, &v) in rest.iter_mut().zip(src) {
            *a = f.combine(*a, f.load(v));
        }
    }
}

/// [`fold_strips`] compiled for AVX-512 or AVX2+FMA when the CPU has them.
fn fold_cols_leaf<T: Copy, F: Fold<T>>(
    f: &F,
    block: &[T],
    rows: std::ops::Range<usize>,
    inner: usize,
    j0: usize,
    out: &mut [F::Acc],
) {
    crate::cpu::simd::widest(
        #[inline(always)]
        || fold_strips(f, block, rows, inner, j0, out),
    )
}

/// [`fold_slice`] compiled for AVX-512 or AVX2+FMA when the CPU has them.
fn fold_run<T: Copy, F: Fold<T>>(f: &F, x: &[T]) -> F::Acc {
    crate::cpu::simd::widest(
        #[inline(always)]
        || fold_slice(f, x),
    )
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
            let per_task = rows_per_task(out.len(), reduced);
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
            let per_task = rows_per_task(outer, block_len);
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
        let per_task = rows_per_task(rows, len);
        (0..rows)
            .into_par_iter()
            .with_min_len(per_task)
            .map(row)
            .collect()
    } else {
        (0..rows).map(row).collect()
    }
}
