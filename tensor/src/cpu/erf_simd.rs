//! Exact GELU in explicit AVX2+FMA code, eight lanes at a time, doing the costly tail
//! (a degree-8 polynomial and an `exp`) only for the elements that need it.
//!
//! The scalar [`gelu`] computes both halves of its piecewise approximation for every element
//! and keeps one, which is what lets LLVM vectorise it. For `x ~ N(0, 1)` nine elements in ten
//! lie in `[GELU_LEFT, GELU_RIGHT)` and need only the head polynomial, but more than half of
//! all vectors of eight hold a tail element, so branching per vector saves little. Instead
//! each block of [`BLOCK`] elements is done in two passes:
//! 1. every lane gets the head result, and the lanes outside `[GELU_LEFT, GELU_RIGHT)` are
//!    packed, with their positions, to the front of small buffers (a table of lane
//!    permutations, one per 8-bit mask, moves them, as AVX-512's `vcompressps` would);
//! 2. the packed inputs go through the tail eight at a time and are written back over the
//!    head results at their positions.
//!
//! When more than half of a block's lanes needed the tail (inputs spread wide), packing costs
//! more than it saves, and the next block computes both halves for every lane and blends.
//!
//! Every lane takes the same steps in the same order as [`gelu::<true>`](gelu), whose tail
//! `exp` is [`crate::ops::softmax::exp_f32`], so results match the scalar kernel bit for bit
//! (`erf::tests::vector_path_matches_scalar_path` checks it).

use super::erf::{GELU_LEFT, GELU_RIGHT, gelu};
use super::gelu_lanes::gelu_lane_steps;
use std::arch::x86_64::*;

/// Elements per two-pass block: the packed buffers (3 × 2 KiB) stay in L1.
const BLOCK: usize = 512;
/// How far ahead of the loads and stores (in elements) lines are prefetched: 2 KiB. It took
/// a 2048×1536 GELU from 1.1 ms to 0.97 ms on 2 threads (Xeon, this kernel forced).
const PREFETCH_AHEAD: usize = 512;

/// For each 8-bit lane mask, the indices of its set lanes in order, then zeros.
static PACK: [[i32; 8]; 256] = pack_table();
/// For each 8-bit lane mask, how many lanes are set.
static COUNT: [u8; 256] = count_table();

/// Builds [`PACK`] at compile time.
const fn pack_table() -> [[i32; 8]; 256] {
    let mut table = [[0; 8]; 256];
    let mut mask = 0;
    while mask < 256 {
        let (mut lane, mut k) = (0, 0);
        while lane < 8 {
            if mask & (1 << lane) != 0 {
                table[mask][k] = lane;
                k += 1;
            }
            lane += 1;
        }
        mask += 1;
    }
    table
}

/// Builds [`COUNT`] at compile time.
const fn count_table() -> [u8; 256] {
    let mut table = [0; 256];
    let mut mask = 0;
    while mask < 256 {
        table[mask] = (mask as u32).count_ones() as u8;
        mask += 1;
    }
    table
}

/// Eight i32 lanes from an array.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn load_i32(v: &[i32; 8]) -> __m256i {
    // SAFETY: `v` is 32 readable bytes; the load has no alignment requirement.
    unsafe { _mm256_loadu_si256(v.as_ptr().cast()) }
}

/// Eight i32 lanes into an array.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn store_i32(v: &mut [i32; 8], x: __m256i) {
    // SAFETY: `v` is 32 writable bytes; the store has no alignment requirement.
    unsafe { _mm256_storeu_si256(v.as_mut_ptr().cast(), x) }
}

gelu_lane_steps! {
    features: "avx2,fma",
    lanes: 8,
    f32s: __m256,
    loadu: _mm256_loadu_ps,
    storeu: _mm256_storeu_ps,
    set1: _mm256_set1_ps,
    set1_i32: _mm256_set1_epi32,
    add: _mm256_add_ps,
    sub: _mm256_sub_ps,
    mul: _mm256_mul_ps,
    fmadd: _mm256_fmadd_ps,
    fnmadd: _mm256_fnmadd_ps,
    min: _mm256_min_ps,
    max: _mm256_max_ps,
    to_i32s: _mm256_castps_si256,
    to_f32s: _mm256_castsi256_ps,
    add_i32: _mm256_add_epi32,
    sub_i32: _mm256_sub_epi32,
    shr1_i32: _mm256_srai_epi32::<1>,
    shl23_i32: _mm256_slli_epi32::<23>,
    abs: abs,
    one_plus_erf: one_plus_erf,
}

/// `|z|`, clearing the sign bits.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn abs(z: __m256) -> __m256 {
    _mm256_andnot_ps(splat(-0.0), z)
}

/// `1 + erf(z)` from `erfc(|z|)`: `erfc` where `z < 0`, else `2 − erfc`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn one_plus_erf(z: __m256, erfc: __m256) -> __m256 {
    let left = _mm256_cmp_ps::<_CMP_LT_OQ>(z, _mm256_setzero_ps());
    _mm256_blendv_ps(_mm256_sub_ps(splat(2.0), erfc), erfc, left)
}

/// All-ones in the lanes inside the head's range `[GELU_LEFT, GELU_RIGHT)`. The comparisons
/// are ordered, so NaN lanes are outside, as in [`gelu`].
#[inline]
#[target_feature(enable = "avx2,fma")]
fn in_head(x: __m256) -> __m256 {
    _mm256_and_ps(
        _mm256_cmp_ps::<_CMP_GE_OQ>(x, splat(GELU_LEFT)),
        _mm256_cmp_ps::<_CMP_LT_OQ>(x, splat(GELU_RIGHT)),
    )
}

/// Writes `gelu::<true>(src[i])` into `dst[i]` for `i < min(src.len(), dst.len())`.
#[target_feature(enable = "avx2,fma")]
pub(super) fn gelu_avx2(src: &[f32], dst: &mut [f32]) {
    let n = src.len().min(dst.len());
    let (src, dst) = (&src[..n], &mut dst[..n]);
    let whole = n - n % 8;
    let mut packed_x = [0.0f32; BLOCK + 8];
    let mut packed_at = [0i32; BLOCK + 8];
    let mut packed_y = [0.0f32; BLOCK];
    // Packing pays while under half the lanes need the tail; past that, doing both halves
    // for every lane is cheaper. Each block picks by the tail share of the block before.
    let mut dense = false;
    for (src, dst) in src[..whole]
        .chunks(BLOCK)
        .zip(dst[..whole].chunks_mut(BLOCK))
    {
        let (xs, _) = src.as_chunks::<8>();
        let (ys, _) = dst.as_chunks_mut::<8>();
        let mut packed = 0;
        if dense {
            for (x, y) in xs.iter().zip(ys) {
                let x = load(x);
                let keep = in_head(x);
                packed += usize::from(COUNT[!_mm256_movemask_ps(keep) as usize & 0xff]);
                let out = _mm256_blendv_ps(tail(x), head(x), keep);
                store(y, out);
            }
            dense = 2 * packed > src.len();
            continue;
        }
        let mut at = _mm256_setzero_si256();
        for (x, y) in xs.iter().zip(ys) {
            // Both streams are prefetched ahead: the passes over the packed buffers leave
            // them idle and the hardware prefetchers fall behind (see `PREFETCH_AHEAD`).
            // Prefetches never fault, so running past the end of the slices is harmless.
            _mm_prefetch::<_MM_HINT_T0>(x.as_ptr().wrapping_add(PREFETCH_AHEAD).cast());
            _mm_prefetch::<_MM_HINT_T0>(y.as_ptr().wrapping_add(PREFETCH_AHEAD).cast());
            let x = load(x);
            store(y, head(x));
            let mask = !_mm256_movemask_ps(in_head(x)) as usize & 0xff;
            let lanes = load_i32(&PACK[mask]);
            // `packed ≤ BLOCK − 8` here, so both buffers have eight lanes from `packed` on.
            let to = packed..packed + 8;
            let x_to = (&mut packed_x[to.clone()]).try_into().expect("eight lanes");
            store(x_to, _mm256_permutevar8x32_ps(x, lanes));
            let at_to = (&mut packed_at[to]).try_into().expect("eight lanes");
            store_i32(at_to, _mm256_add_epi32(lanes, at));
            packed += usize::from(COUNT[mask]);
            at = _mm256_add_epi32(at, _mm256_set1_epi32(8));
        }
        dense = 2 * packed > src.len();
        // Lanes past `packed` hold stale inputs; their results are never written back.
        let filled = packed.next_multiple_of(8);
        let (xs, _) = packed_x[..filled].as_chunks::<8>();
        let (ys, _) = packed_y[..filled].as_chunks_mut::<8>();
        for (x, y) in xs.iter().zip(ys) {
            store(y, tail(load(x)));
        }
        for (&at, &y) in packed_at[..packed].iter().zip(&packed_y[..packed]) {
            dst[at as usize] = y;
        }
    }
    for (y, &x) in dst[whole..].iter_mut().zip(&src[whole..]) {
        *y = gelu::<true>(x);
    }
}
