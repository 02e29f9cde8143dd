//! A branch-free `exp` for f32 that the compiler can vectorise (the libm call cannot be).
//!
//! Cody–Waite range reduction `x = n·ln2 + r` with `|r| ≤ ln2/2`, a degree-6 minimax
//! polynomial for `e^r` (the classic Cephes `expf` coefficients), and scaling by `2^n` built
//! from exponent bits in two halves so results that are subnormal or overflow come out right.
//! Maximum error about 2 ulp over the whole range; `exp(-inf) = 0`, `exp(inf) = inf`,
//! `exp(NaN) = NaN`.

use crate::cpu::simd::mul_add;

// The constants are shared with the eight-lane copy in `cpu::erf_simd`, which must stay
// bit-identical.
/// `log₂ e`.
pub(crate) const LOG2E: f32 = std::f32::consts::LOG2_E;
/// `ln 2` split into a part with few mantissa bits (so `n · LN2_HI` is exact) and the rest.
pub(crate) const LN2_HI: f32 = 0.693_359_4;
/// See [`LN2_HI`].
pub(crate) const LN2_LO: f32 = -2.121_944_4e-4;
/// Adding `1.5·2^23` rounds a float to an integer held in the low mantissa bits.
pub(crate) const ROUND_MAGIC: f32 = 12_582_912.0;
/// Below this `e^x` rounds to 0 in f32; above `MAX_IN` it is infinite.
pub(crate) const MIN_IN: f32 = -104.0;
/// See [`MIN_IN`].
pub(crate) const MAX_IN: f32 = 89.0;
/// `e^r ≈ 1 + r + r²·(P[0] + P[1]·r + … + P[5]·r⁵)` on `|r| ≤ ln2/2`.
pub(crate) const POLY: [f32; 6] = [
    0.5,
    1.666_666_5e-1,
    4.166_579_6e-2,
    8.333_452e-3,
    1.398_199_9e-3,
    1.987_569_1e-4,
];

/// `e^x` for f32, vectorisable when inlined into a loop; `FMA` as in
/// [`crate::cpu::simd::mul_add`]. The polynomial is evaluated by Estrin's scheme, whose
/// independent halves shorten the dependency chain that bounds a vectorised loop.
#[inline(always)]
pub(crate) fn exp_f32<const FMA: bool>(x: f32) -> f32 {
    // Comparisons (not f32::max/min) so NaN passes through.
    let x = if x > MAX_IN { MAX_IN } else { x };
    let x = if x < MIN_IN { MIN_IN } else { x };
    let t = x * LOG2E + ROUND_MAGIC;
    let n = (t.to_bits() as i32).wrapping_sub(ROUND_MAGIC.to_bits() as i32);
    let nf = t - ROUND_MAGIC;
    let r = mul_add::<FMA>(-nf, LN2_LO, mul_add::<FMA>(-nf, LN2_HI, x));
    let r2 = r * r;
    let p01 = mul_add::<FMA>(r, POLY[1], POLY[0]);
    let p23 = mul_add::<FMA>(r, POLY[3], POLY[2]);
    let p45 = mul_add::<FMA>(r, POLY[5], POLY[4]);
    let q = mul_add::<FMA>(r2, p45, p23);
    let q = mul_add::<FMA>(r2, q, p01);
    let p = mul_add::<FMA>(r2, q, r) + 1.0;
    // 2^n as 2^(n/2) · 2^(n - n/2): each half stays a normal float for n in [-150, 129].
    let n1 = n >> 1;
    let n2 = n.wrapping_sub(n1);
    let s1 = f32::from_bits((n1.wrapping_add(127) as u32) << 23);
    let s2 = f32::from_bits((n2.wrapping_add(127) as u32) << 23);
    p * s1 * s2
}

#[cfg(test)]
mod tests {
    use super::exp_f32;

    /// Worst error in ulp over a sweep of the finite range, for both builds of the kernel.
    fn worst_ulp<const FUSED: bool>() -> f64 {
        let mut worst = 0.0f64;
        let mut x = -103.0f32;
        while x < 88.7 {
            let want = (x as f64).exp();
            let got = exp_f32::<FUSED>(x) as f64;
            if want > f32::MIN_POSITIVE as f64 {
                let ulp = f32::EPSILON as f64 * want;
                worst = worst.max((got - want).abs() / ulp);
            } else {
                assert!(
                    (got - want).abs() <= 1.5e-45,
                    "exp({x}) = {got}, want {want}"
                );
            }
            x += 0.013;
        }
        worst
    }

    #[test]
    fn matches_libm_within_two_ulp() {
        for worst in [worst_ulp::<false>(), worst_ulp::<true>()] {
            assert!(worst <= 2.0, "worst error {worst} ulp");
        }
    }

    #[test]
    fn special_values() {
        for exp in [exp_f32::<false>, exp_f32::<true>] {
            assert_eq!(exp(0.0), 1.0);
            assert_eq!(exp(f32::NEG_INFINITY), 0.0);
            assert_eq!(exp(-200.0), 0.0);
            assert_eq!(exp(f32::INFINITY), f32::INFINITY);
            assert_eq!(exp(88.8), f32::INFINITY);
            assert!(exp(88.7).is_finite());
            assert!(exp(f32::NAN).is_nan());
        }
    }
}
