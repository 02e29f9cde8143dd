//! Vectorisable f32 kernels for the error function and both GELU forms.
//!
//! `libm::erff` branches on the argument, so a loop calling it runs one element at a time.
//! Here every element takes the same path: both halves of a piecewise approximation are
//! computed and one is selected, so LLVM turns the loops into SIMD code (AVX2 when the CPU has
//! it, chosen at run time; SSE2 otherwise).
//!
//! For `a = |x|`:
//! - `a < 0.921875`: `erf(a) = a + a·P(a²)`, `P` a degree-5 polynomial fitted (weighted least
//!   squares iterated towards minimax, 20 000 Chebyshev points) to `erf(a)/a − 1`. Adding the
//!   small correction to `a` keeps the rounding error of the polynomial out of the leading digit.
//! - otherwise: `erfc(a) = exp(R(a − 1) − a²)`, `R` a degree-8 polynomial fitted the same way
//!   to `ln erfc(a) + a²` on `[0.921875, 4]`, where it is smooth and varies little, and
//!   `erf(a) = 1 − erfc(a)`. Above 4, `erf` rounds to 1 in f32 and `R` is held at its value at 4.
//!
//! Measured against f64 `erf` over a dense sweep (see the tests): at most 2 ulp, absolute error
//! below 1.2e-7. GELU takes `1 + erf(z)` for negative `z` straight from `erfc(|z|)`, so its
//! left tail keeps full relative precision instead of cancelling.

use super::buffer_pool;
use super::simd::{avx2_kernel, mul_add};
use super::strided::{PARALLEL_THRESHOLD, map1};
use crate::layout::Layout;
use crate::ops::softmax::exp_f32;
use rayon::prelude::*;

/// Where the two halves of the approximation meet.
const SPLIT: f32 = 0.921_875;
/// Above this `erf` is 1 in f32; the tail polynomial is not evaluated further out.
pub(super) const TAIL_END: f32 = 4.0;
/// `erf(a)/a − 1` as a polynomial in `a²` on `[0, SPLIT)`, lowest degree first.
const HEAD: [f32; 6] = [
    0.128_379_15,
    -0.376_125_07,
    0.112_819_29,
    -0.026_770_29,
    0.004_998_07,
    -0.000_601_369_2,
];
/// GELU's head covers `GELU_LEFT ≤ x < GELU_RIGHT`. On the left `1 + erf(x/√2)` cancels,
/// so the head stops where the tail takes over for `erf` (`x/√2 ≈ −SPLIT`); on the right
/// nothing cancels and the head reaches far enough that a normal input rarely needs the tail.
pub(super) const GELU_LEFT: f32 = -1.312_5;
/// See [`GELU_LEFT`].
pub(super) const GELU_RIGHT: f32 = 2.5;
/// `(gelu(x) − x/2)/x² = erf(x/√2)/(2x)` as a polynomial in `x²` on `[0, GELU_RIGHT²]`, lowest
/// degree first, fitted like [`HEAD`] to the error each point causes in `gelu(±x)` measured
/// against what the tests allow there (a few ulp; for `x < −1` an absolute 1e-7), so the
/// points where `x/2 + x²·Q` cancels (`x < 0`) weigh most.
pub(super) const GELU_HEAD: [f32; 9] = [
    0.398_942_26,
    -0.066_490_196,
    0.009_972_989,
    -0.001_186_511_1,
    0.000_114_791_525,
    -9.144_866e-6,
    5.799_948e-7,
    -2.589_511_5e-8,
    5.900_741_6e-10,
];
/// `ln erfc(a) + a²` as a polynomial in `a − 1` on `[SPLIT, TAIL_END]`, lowest degree first.
pub(super) const TAIL: [f32; 9] = [
    -0.849_605_5,
    -0.638_967_3,
    0.156_892_7,
    -0.041_569_214,
    0.010_069_627,
    -0.002_048_700_6,
    0.000_318_104_1,
    -3.253_49e-5,
    1.602_509_1e-6,
];
/// Elements one task (or one inner loop) handles: enough to amortise a rayon hop, small enough
/// to stay in L1/L2.
const CHUNK: usize = 8192;

/// `c[0] + c[1]·t + … + c[5]·t⁵` by Estrin's scheme: neighbouring coefficients are paired
/// with `t` and the pairs joined with `t²` and `t⁴`, so the dependency chain is three
/// multiply-adds long instead of five; `FMA` as in [`mul_add`].
#[inline(always)]
fn poly6<const FMA: bool>(c: &[f32; 6], t: f32) -> f32 {
    let t2 = t * t;
    let p01 = mul_add::<FMA>(c[1], t, c[0]);
    let p23 = mul_add::<FMA>(c[3], t, c[2]);
    let p45 = mul_add::<FMA>(c[5], t, c[4]);
    mul_add::<FMA>(t2 * t2, p45, mul_add::<FMA>(t2, p23, p01))
}

/// `c[0] + c[1]·t + … + c[8]·t⁸` by Estrin's scheme (see [`poly6`]).
#[inline(always)]
fn poly9<const FMA: bool>(c: &[f32; 9], t: f32) -> f32 {
    let t2 = t * t;
    let t4 = t2 * t2;
    let p01 = mul_add::<FMA>(c[1], t, c[0]);
    let p23 = mul_add::<FMA>(c[3], t, c[2]);
    let p45 = mul_add::<FMA>(c[5], t, c[4]);
    let p67 = mul_add::<FMA>(c[7], t, c[6]);
    let low = mul_add::<FMA>(t2, p23, p01);
    let high = mul_add::<FMA>(t2, p67, p45);
    mul_add::<FMA>(t4 * t4, c[8], mul_add::<FMA>(t4, high, low))
}

/// `(erf(a), erfc(a))` for `a = |x| ≥ 0` (NaN in, NaN out), each accurate to its own ulp.
#[inline(always)]
fn erf_erfc<const FMA: bool>(a: f32) -> (f32, f32) {
    let a2 = a * a;
    let head = mul_add::<FMA>(a, poly6::<FMA>(&HEAD, a2), a);
    // Comparisons rather than f32::min so NaN takes the head branch and stays NaN.
    let erfc_tail = erfc_tail::<FMA>(a, a2);
    if a >= SPLIT {
        (1.0 - erfc_tail, erfc_tail)
    } else {
        (head, 1.0 - head)
    }
}

/// The error function for f32 (`torch.erf`), vectorisable when inlined into a loop.
#[inline(always)]
pub(crate) fn erf<const FMA: bool>(x: f32) -> f32 {
    erf_erfc::<FMA>(x.abs()).0.copysign(x)
}

/// `erfc(a)` for `a = |z| ≥ SPLIT` by the tail polynomial, given `z2 = z·z`.
#[inline(always)]
pub(super) fn erfc_tail<const FMA: bool>(a: f32, z2: f32) -> f32 {
    let held = if a < TAIL_END { a } else { TAIL_END };
    exp_f32::<FMA>(poly9::<FMA>(&TAIL, held - 1.0) - z2)
}

/// Exact GELU `x·Φ(x) = x/2 · (1 + erf(x/√2))` (`F.gelu`).
///
/// On `[GELU_LEFT, GELU_RIGHT)` this is `x/2 + x²·Q(x²)` in one multiply-add, `Q` by Horner's
/// rule (in a vector loop the elements are independent, so the longer dependency chain costs
/// nothing and Horner needs fewer instructions than Estrin). Outside, `1 + erf(z)`,
/// `z = x/√2`, is `erfc(|z|)` on the left, where it does not cancel, and `2 − erfc(|z|)` on
/// the right. NaN is outside the head's range and comes out of the tail as NaN.
/// [`super::erf_simd`] repeats these steps lane by lane and must stay bit-identical.
#[inline(always)]
pub(crate) fn gelu<const FMA: bool>(x: f32) -> f32 {
    let u = x * x;
    let half_x = 0.5 * x;
    const DEGREE: usize = GELU_HEAD.len() - 1;
    let q = GELU_HEAD[..DEGREE]
        .iter()
        .rev()
        .fold(GELU_HEAD[DEGREE], |acc, &c| mul_add::<FMA>(acc, u, c));
    let head = mul_add::<FMA>(u, q, half_x);
    let z = x * std::f32::consts::FRAC_1_SQRT_2;
    let erfc = erfc_tail::<FMA>(z.abs(), z * z);
    let tail = half_x * if z < 0.0 { erfc } else { 2.0 - erfc };
    if (GELU_LEFT..GELU_RIGHT).contains(&x) {
        head
    } else {
        tail
    }
}

/// Tanh GELU `x/2 · (1 + tanh(√(2/π)(x + 0.044715x³)))` (`F.gelu(approximate='tanh')`),
/// computed as the identical `x · σ(2·√(2/π)(x + 0.044715x³))`.
#[inline(always)]
pub(crate) fn gelu_tanh<const FMA: bool>(x: f32) -> f32 {
    // 2·√(2/π)
    const K2: f32 = 1.595_769;
    const C: f32 = 0.044_715;
    let y2 = K2 * (x + C * x * x * x);
    x / (1.0 + exp_f32::<FMA>(-y2))
}

/// Which pointwise function [`apply`] runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ErfKernel {
    /// `torch.erf`
    Erf,
    /// exact `F.gelu`
    Gelu,
    /// `F.gelu(approximate='tanh')`
    GeluTanh,
}

impl ErfKernel {
    /// One element; `FMA` as in [`mul_add`].
    #[inline(always)]
    fn scalar<const FMA: bool>(self, x: f32) -> f32 {
        match self {
            ErfKernel::Erf => erf::<FMA>(x),
            ErfKernel::Gelu => gelu::<FMA>(x),
            ErfKernel::GeluTanh => gelu_tanh::<FMA>(x),
        }
    }
}

/// One loop per kernel so each body is a straight line the compiler vectorises.
#[inline(always)]
fn fill_generic<const FMA: bool>(kernel: ErfKernel, src: &[f32], dst: &mut [f32]) {
    macro_rules! fill {
        ($kernel:expr) => {
            for (d, &x) in dst.iter_mut().zip(src) {
                *d = $kernel.scalar::<FMA>(x);
            }
        };
    }
    match kernel {
        ErfKernel::Erf => fill!(ErfKernel::Erf),
        ErfKernel::Gelu => fill!(ErfKernel::Gelu),
        ErfKernel::GeluTanh => fill!(ErfKernel::GeluTanh),
    }
}

avx2_kernel! {
    /// Writes `kernel(src[i])` into `dst[i]` with the widest vector code the CPU runs.
    fn fill_auto(kernel: ErfKernel, src: &[f32], dst: &mut [f32]) = fused fill_generic;
}

/// Writes `kernel(src[i])` into `dst[i]`: exact GELU by the hand-written AVX-512 kernel, else
/// the AVX2+FMA one, when the CPU has them; everything else by the compiler-vectorised loops.
fn fill(kernel: ErfKernel, src: &[f32], dst: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if kernel == ErfKernel::Gelu {
        if super::simd::has_avx512() {
            // SAFETY: the CPU supports AVX-512 F and POPCNT, checked just above.
            return unsafe { super::erf_avx512::gelu_avx512(src, dst) };
        }
        if super::simd::has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { super::erf_simd::gelu_avx2(src, dst) };
        }
    }
    fill_auto(kernel, src, dst)
}

/// Applies `kernel` to every element of an f32 view, producing a contiguous vector: chunked
/// SIMD loops, split across rayon threads above [`PARALLEL_THRESHOLD`] elements.
pub(crate) fn apply(kernel: ErfKernel, src: &[f32], layout: &Layout) -> Vec<f32> {
    let Some(range) = layout.contiguous_range() else {
        return map1(src, layout, |x| kernel.scalar::<false>(x));
    };
    let src = &src[range];
    // Every element is overwritten, so a reused buffer need not be zeroed.
    let mut out = buffer_pool::scratch(src.len(), 0.0f32);
    if src.len() >= PARALLEL_THRESHOLD {
        out.par_chunks_mut(CHUNK)
            .zip(src.par_chunks(CHUNK))
            .for_each(|(d, s)| fill(kernel, s, d));
    } else {
        for (d, s) in out.chunks_mut(CHUNK).zip(src.chunks(CHUNK)) {
            fill(kernel, s, d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worst error of `f` against the f64 reference `want` at every multiple of 2^-14 in
    /// `[lo, hi]`: `(ulps, relative, absolute)`, ulps counted in the f32 result.
    fn sweep(
        f: impl Fn(f32) -> f32,
        want: impl Fn(f64) -> f64,
        lo: f32,
        hi: f32,
    ) -> (f64, f64, f64) {
        let (mut ulps, mut rel, mut abs) = (0.0f64, 0.0f64, 0.0f64);
        let step = 1.0 / (1 << 14) as f32;
        for i in (lo / step) as i32..=(hi / step) as i32 {
            let x = i as f32 * step;
            let w = want(x as f64);
            let err = (f(x) as f64 - w).abs();
            let wf = w.abs() as f32;
            let ulp = (f32::from_bits(wf.to_bits() + 1) - wf) as f64;
            ulps = ulps.max(err / ulp);
            if w != 0.0 {
                rel = rel.max(err / w.abs());
            }
            abs = abs.max(err);
        }
        (ulps, rel, abs)
    }

    fn exact_gelu(x: f64) -> f64 {
        0.5 * x * libm::erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
    }

    /// `x/2 · (1 + tanh(y))` written as `x · σ(2y)`, which does not cancel for x ≪ 0.
    fn exact_gelu_tanh(x: f64) -> f64 {
        let k = (2.0 / std::f64::consts::PI).sqrt();
        x / (1.0 + (-2.0 * k * (x + 0.044715 * x * x * x)).exp())
    }

    #[test]
    fn erf_within_two_ulp_of_f64() {
        for erf in [erf::<false>, erf::<true>] {
            let (ulps, _, abs) = sweep(erf, libm::erf, -6.0, 6.0);
            eprintln!("erf on [-6, 6]: {ulps:.3} ulp, abs {abs:.3e}");
            assert!(ulps <= 2.0, "erf: {ulps} ulp");
            assert!(abs <= 1.2e-7, "erf: abs error {abs}");
        }
    }

    #[test]
    fn gelu_close_to_f64() {
        // On the left the result is x/2 · erfc(|z|) = x/2 · exp(q): the f32 rounding of q
        // (|q| up to ~15) bounds its relative accuracy, so the tail is checked relatively.
        // PyTorch's 1 + erf(z) cancels there and is far less accurate.
        for gelu in [gelu::<false>, gelu::<true>] {
            let (ulps, _, _) = sweep(gelu, exact_gelu, -1.0, 6.0);
            let (_, rel, _) = sweep(gelu, exact_gelu, -5.5, -1.0);
            let (_, _, abs) = sweep(gelu, exact_gelu, -12.0, -1.0);
            eprintln!(
                "gelu: {ulps:.3} ulp on [-1, 6], rel {rel:.3e} on [-5.5, -1], abs {abs:.3e} on [-12, -1]"
            );
            assert!(ulps <= 4.0, "gelu: {ulps} ulp");
            assert!(rel <= 4e-6, "gelu: relative error {rel}");
            assert!(abs <= 1e-7, "gelu: abs error {abs}");
        }
    }

    #[test]
    fn gelu_tanh_close_to_f64() {
        for gelu_tanh in [gelu_tanh::<false>, gelu_tanh::<true>] {
            let (ulps, _, _) = sweep(gelu_tanh, exact_gelu_tanh, -1.0, 6.0);
            let (_, rel, _) = sweep(gelu_tanh, exact_gelu_tanh, -8.0, -1.0);
            let (_, _, abs) = sweep(gelu_tanh, exact_gelu_tanh, -12.0, -1.0);
            eprintln!(
                "gelu_tanh: {ulps:.3} ulp on [-1, 6], rel {rel:.3e} on [-8, -1], abs {abs:.3e} on [-12, -1]"
            );
            assert!(ulps <= 4.0, "gelu_tanh: {ulps} ulp");
            assert!(rel <= 1e-5, "gelu_tanh: relative error {rel}");
            assert!(abs <= 1e-7, "gelu_tanh: abs error {abs}");
        }
    }

    #[test]
    fn special_values() {
        let (erf, gelu, gelu_tanh) = (erf::<true>, gelu::<true>, gelu_tanh::<true>);
        assert_eq!(erf(0.0), 0.0);
        assert!(erf(-0.0).is_sign_negative());
        assert_eq!(erf(f32::INFINITY), 1.0);
        assert_eq!(erf(f32::NEG_INFINITY), -1.0);
        assert_eq!(erf(1e30), 1.0);
        assert!(erf(f32::NAN).is_nan());
        assert!(gelu(f32::NAN).is_nan());
        assert!(gelu_tanh(f32::NAN).is_nan());
        assert_eq!(gelu(f32::INFINITY), f32::INFINITY);
        // Like PyTorch: -inf · 0 is NaN.
        assert!(gelu(f32::NEG_INFINITY).is_nan());
        assert!(gelu_tanh(f32::NEG_INFINITY).is_nan());
        assert_eq!(gelu(-1e30), 0.0);
        assert_eq!(gelu_tanh(f32::INFINITY), f32::INFINITY);
        assert_eq!(gelu_tanh(-1e30), 0.0);
    }

    /// Special values and both ends of GELU's head range, for the vector-path tests.
    fn gelu_edges() -> [f32; 17] {
        [
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
            -1e30,
            1e30,
            0.0,
            -0.0,
            GELU_LEFT,
            GELU_LEFT.next_up(),
            GELU_LEFT.next_down(),
            GELU_RIGHT,
            GELU_RIGHT.next_down(),
            -GELU_RIGHT,
            -4.2,
            7.5,
            f32::MIN_POSITIVE,
            -1e-30,
        ]
    }

    #[test]
    fn gelu_vector_path_handles_edges_and_remainders() {
        // Special values and both ends of the head's range, rotated through every lane, at
        // every length up to five vectors, so the packed tail pass sees partial vectors and
        // the scalar remainder sees each value too.
        let edges = gelu_edges();
        for len in 0..=40 {
            for shift in 0..edges.len() {
                let x: Vec<f32> = (0..len).map(|i| edges[(i + shift) % edges.len()]).collect();
                let layout = Layout::contiguous(crate::shape::Shape::from(vec![len]));
                let got = apply(ErfKernel::Gelu, &x, &layout);
                assert_eq!(got.len(), len);
                for (&g, &v) in got.iter().zip(&x) {
                    let want = scalar_reference(ErfKernel::Gelu, v);
                    let same = g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan());
                    assert!(same, "gelu({v}) = {g}, want {want} (length {len})");
                }
            }
        }
    }

    #[test]
    fn gelu_vector_path_matches_when_spread_changes() {
        // Stretches of wide inputs (mostly tail) and narrow ones (mostly head) alternate, so
        // the AVX2 kernel switches between its packed and dense blocks in both directions.
        let x: Vec<f32> = (0..3 * 8192 + 13)
            .map(|i| {
                let wide = (i / 1500) % 2 == 0;
                (i as f32 * 0.618_034).sin() * if wide { 9.0 } else { 1.2 }
            })
            .collect();
        let layout = Layout::contiguous(crate::shape::Shape::from(vec![x.len()]));
        let got = apply(ErfKernel::Gelu, &x, &layout);
        for (&g, &v) in got.iter().zip(&x) {
            let want = scalar_reference(ErfKernel::Gelu, v);
            assert_eq!(g.to_bits(), want.to_bits(), "gelu({v})");
        }
    }

    /// Both hand-written GELU kernels that this CPU runs, not only the one [`fill`] picks,
    /// against the scalar kernel, bit for bit: edge values in every lane position at every
    /// length up to five AVX-512 vectors, then stretches of wide and narrow inputs that switch
    /// the packed and dense blocks both ways and end in a partial block.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_gelu_kernel_matches_scalar_path() {
        let edges = gelu_edges();
        let mut inputs: Vec<Vec<f32>> = (0..=80)
            .map(|len| {
                (0..len)
                    .map(|i| edges[(i * 5 + len) % edges.len()])
                    .collect()
            })
            .collect();
        inputs.push(
            (0..5 * 1024 + 29)
                .map(|i| {
                    let wide = (i / 1700) % 2 == 0;
                    (i as f32 * 0.618_034).sin() * if wide { 9.0 } else { 1.2 }
                })
                .collect(),
        );
        type Kernel = unsafe fn(&[f32], &mut [f32]);
        let mut kernels: Vec<(&str, Kernel)> = Vec::new();
        if crate::cpu::simd::has_avx2_fma() {
            kernels.push(("avx2", super::super::erf_simd::gelu_avx2));
        }
        if crate::cpu::simd::has_avx512() {
            kernels.push(("avx512", super::super::erf_avx512::gelu_avx512));
        }
        for (name, kernel) in kernels {
            for x in &inputs {
                let mut got = vec![0.0f32; x.len()];
                // SAFETY: the CPU supports the kernel's target features, checked above.
                unsafe { kernel(x, &mut got) };
                for (&g, &v) in got.iter().zip(x) {
                    let want = gelu::<true>(v);
                    let same = g.to_bits() == want.to_bits() || (g.is_nan() && want.is_nan());
                    assert!(
                        same,
                        "{name} gelu({v}) = {g}, want {want} (length {})",
                        x.len()
                    );
                }
            }
        }
    }

    /// The scalar kernel a vector path must match bit for bit: it fuses multiply-adds exactly
    /// when the CPU has FMA.
    fn scalar_reference(kernel: ErfKernel, v: f32) -> f32 {
        #[cfg(target_arch = "x86_64")]
        let fused = crate::cpu::simd::has_avx2_fma();
        #[cfg(not(target_arch = "x86_64"))]
        let fused = false;
        if fused {
            kernel.scalar::<true>(v)
        } else {
            kernel.scalar::<false>(v)
        }
    }

    #[test]
    fn vector_path_matches_scalar_path() {
        let x: Vec<f32> = (0..PARALLEL_THRESHOLD + 77)
            .map(|i| (i as f32 * 0.618_034).sin() * 7.0)
            .collect();
        let layout = Layout::contiguous(crate::shape::Shape::from(vec![x.len()]));
        for kernel in [ErfKernel::Erf, ErfKernel::Gelu, ErfKernel::GeluTanh] {
            let got = apply(kernel, &x, &layout);
            assert_eq!(got.len(), x.len());
            for (&g, &v) in got.iter().zip(&x) {
                let want = scalar_reference(kernel, v);
                assert_eq!(g.to_bits(), want.to_bits(), "{kernel:?}({v})");
            }
        }
    }
}
