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

use super::erf::{GELU_HEAD, GELU_LEFT, GELU_RIGHT, TAIL, TAIL_END, gelu};
use crate::ops::softmax::exp::{LN2_HI, LN2_LO, LOG2E, MAX_IN, MIN_IN, POLY, ROUND_MAGIC};
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

/// Eight f32 lanes from an array.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn load(v: &[f32; 8]) -> __m256 {
    // SAFETY: `v` is eight readable f32; the load has no alignment requirement.
    unsafe { _mm256_loadu_ps(v.as_ptr()) }
}

/// Eight f32 lanes into an array.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn store(v: &mut [f32; 8], x: __m256) {
    // SAFETY: `v` is eight writable f32; the store has no alignment requirement.
    unsafe { _mm256_storeu_ps(v.as_mut_ptr(), x) }
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

/// Eight lanes of `v`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn splat(v: f32) -> __m256 {
    _mm256_set1_ps(v)
}

/// `a·b + c` rounded once, as `mul_add::<true>`.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn fma(a: __m256, b: __m256, c: __m256) -> __m256 {
    _mm256_fmadd_ps(a, b, c)
}

/// The eight-lane `exp_f32::<true>`: the same clamps, Cody–Waite constants and Estrin order.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn exp(x: __m256) -> __m256 {
    // minps/maxps return their second operand when either is NaN, like the scalar comparisons.
    let x = _mm256_min_ps(splat(MAX_IN), x);
    let x = _mm256_max_ps(splat(MIN_IN), x);
    let magic = splat(ROUND_MAGIC);
    let t = _mm256_add_ps(_mm256_mul_ps(x, splat(LOG2E)), magic);
    let n = _mm256_sub_epi32(_mm256_castps_si256(t), _mm256_castps_si256(magic));
    let nf = _mm256_sub_ps(t, magic);
    let r = _mm256_fnmadd_ps(nf, splat(LN2_HI), x);
    let r = _mm256_fnmadd_ps(nf, splat(LN2_LO), r);
    let r2 = _mm256_mul_ps(r, r);
    let p01 = fma(r, splat(POLY[1]), splat(POLY[0]));
    let p23 = fma(r, splat(POLY[3]), splat(POLY[2]));
    let p45 = fma(r, splat(POLY[5]), splat(POLY[4]));
    let q = fma(r2, fma(r2, p45, p23), p01);
    let p = _mm256_add_ps(fma(r2, q, r), splat(1.0));
    let n1 = _mm256_srai_epi32::<1>(n);
    let n2 = _mm256_sub_epi32(n, n1);
    let bias = _mm256_set1_epi32(127);
    let s1 = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(n1, bias)));
    let s2 = _mm256_castsi256_ps(_mm256_slli_epi32::<23>(_mm256_add_epi32(n2, bias)));
    _mm256_mul_ps(_mm256_mul_ps(p, s1), s2)
}

/// GELU by the head: `x/2 + u·Q(u)`, `u = x²`, `Q` by Horner's rule.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn head(x: __m256, u: __m256) -> __m256 {
    const DEGREE: usize = GELU_HEAD.len() - 1;
    let q = GELU_HEAD[..DEGREE]
        .iter()
        .rev()
        .fold(splat(GELU_HEAD[DEGREE]), |acc, &c| fma(acc, u, splat(c)));
    fma(u, q, _mm256_mul_ps(splat(0.5), x))
}

/// GELU by the tail: `x/2 · erfc(|z|)` for `z < 0`, `x/2 · (2 − erfc(|z|))` otherwise.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn tail(x: __m256) -> __m256 {
    let c = TAIL;
    let z = _mm256_mul_ps(x, splat(std::f32::consts::FRAC_1_SQRT_2));
    let z2 = _mm256_mul_ps(z, z);
    let a = _mm256_andnot_ps(splat(-0.0), z);
    let t = _mm256_sub_ps(_mm256_min_ps(a, splat(TAIL_END)), splat(1.0));
    let t2 = _mm256_mul_ps(t, t);
    let t4 = _mm256_mul_ps(t2, t2);
    let p01 = fma(splat(c[1]), t, splat(c[0]));
    let p23 = fma(splat(c[3]), t, splat(c[2]));
    let p45 = fma(splat(c[5]), t, splat(c[4]));
    let p67 = fma(splat(c[7]), t, splat(c[6]));
    let low = fma(t2, p23, p01);
    let high = fma(t2, p67, p45);
    let p = fma(_mm256_mul_ps(t4, t4), splat(c[8]), fma(t4, high, low));
    let erfc = exp(_mm256_sub_ps(p, z2));
    let left = _mm256_cmp_ps::<_CMP_LT_OQ>(z, _mm256_setzero_ps());
    let one_plus = _mm256_blendv_ps(_mm256_sub_ps(splat(2.0), erfc), erfc, left);
    _mm256_mul_ps(_mm256_mul_ps(splat(0.5), x), one_plus)
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
                let out = _mm256_blendv_ps(tail(x), head(x, _mm256_mul_ps(x, x)), keep);
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
            store(y, head(x, _mm256_mul_ps(x, x)));
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
