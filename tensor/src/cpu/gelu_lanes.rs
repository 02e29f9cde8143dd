//! The lane steps of the hand-written exact GELU kernels, written once for every vector width.
//!
//! [`gelu_lane_steps!`] expands, inside a kernel's module, `load`, `store`, `splat`, `fma`,
//! `exp`, `head` and `tail` for one width's intrinsics (AVX2's eight lanes in
//! [`super::erf_simd`], AVX-512's sixteen in [`super::erf_avx512`]). Every lane takes the
//! steps of the scalar [`gelu::<true>`](super::erf::gelu) in the same order, so each kernel
//! matches it bit for bit. The two places where the widths differ, the absolute value and
//! the final choice between `erfc` and `2 − erfc` (AVX-512 compares into a mask register,
//! AVX2 into a vector), are passed in as functions of the kernel's module.

/// Expands the GELU lane steps for one vector width; see the module docs. `features` is the
/// `target_feature` list every step is compiled for, `lanes` the f32 lanes of `f32s`, and the
/// other arguments name that width's intrinsics (`shr1_i32` and `shl23_i32` with their shift
/// counts applied).
macro_rules! gelu_lane_steps {
    (
        features: $features:literal,
        lanes: $lanes:expr,
        f32s: $v:ty,
        loadu: $loadu:path,
        storeu: $storeu:path,
        set1: $set1:path,
        set1_i32: $set1_i:path,
        add: $add:path,
        sub: $sub:path,
        mul: $mul:path,
        fmadd: $fmadd:path,
        fnmadd: $fnmadd:path,
        min: $min:path,
        max: $max:path,
        to_i32s: $to_i:path,
        to_f32s: $to_f:path,
        add_i32: $add_i:path,
        sub_i32: $sub_i:path,
        shr1_i32: $shr1:path,
        shl23_i32: $shl23:path,
        abs: $abs:path,
        one_plus_erf: $one_plus_erf:path $(,)?
    ) => {
        /// One vector of f32 lanes from an array.
        #[inline]
        #[target_feature(enable = $features)]
        fn load(v: &[f32; $lanes]) -> $v {
            // SAFETY: `v` is one vector of readable f32; the load has no alignment requirement.
            unsafe { $loadu(v.as_ptr()) }
        }

        /// One vector of f32 lanes into an array.
        #[inline]
        #[target_feature(enable = $features)]
        fn store(v: &mut [f32; $lanes], x: $v) {
            // SAFETY: `v` is one vector of writable f32; the store has no alignment
            // requirement.
            unsafe { $storeu(v.as_mut_ptr(), x) }
        }

        /// Every lane `v`.
        #[inline]
        #[target_feature(enable = $features)]
        fn splat(v: f32) -> $v {
            $set1(v)
        }

        /// `a·b + c` rounded once, as `mul_add::<true>`.
        #[inline]
        #[target_feature(enable = $features)]
        fn fma(a: $v, b: $v, c: $v) -> $v {
            $fmadd(a, b, c)
        }

        /// `exp_f32::<true>` lane by lane: the same clamps, Cody–Waite constants and Estrin
        /// order.
        #[inline]
        #[target_feature(enable = $features)]
        fn exp(x: $v) -> $v {
            use $crate::ops::softmax::exp::{
                LN2_HI, LN2_LO, LOG2E, MAX_IN, MIN_IN, POLY, ROUND_MAGIC,
            };
            // The min/max instructions return their second operand when either is NaN, like
            // the scalar comparisons.
            let x = $min(splat(MAX_IN), x);
            let x = $max(splat(MIN_IN), x);
            let magic = splat(ROUND_MAGIC);
            let t = $add($mul(x, splat(LOG2E)), magic);
            let n = $sub_i($to_i(t), $to_i(magic));
            let nf = $sub(t, magic);
            let r = $fnmadd(nf, splat(LN2_HI), x);
            let r = $fnmadd(nf, splat(LN2_LO), r);
            let r2 = $mul(r, r);
            let p01 = fma(r, splat(POLY[1]), splat(POLY[0]));
            let p23 = fma(r, splat(POLY[3]), splat(POLY[2]));
            let p45 = fma(r, splat(POLY[5]), splat(POLY[4]));
            let q = fma(r2, fma(r2, p45, p23), p01);
            let p = $add(fma(r2, q, r), splat(1.0));
            let n1 = $shr1(n);
            let n2 = $sub_i(n, n1);
            let bias = $set1_i(127);
            let s1 = $to_f($shl23($add_i(n1, bias)));
            let s2 = $to_f($shl23($add_i(n2, bias)));
            $mul($mul(p, s1), s2)
        }

        /// GELU by the head: `x/2 + u·Q(u)`, `u = x²`, `Q` by Horner's rule.
        #[inline]
        #[target_feature(enable = $features)]
        fn head(x: $v) -> $v {
            use $crate::cpu::erf::GELU_HEAD;
            const DEGREE: usize = GELU_HEAD.len() - 1;
            let u = $mul(x, x);
            let q = GELU_HEAD[..DEGREE]
                .iter()
                .rev()
                .fold(splat(GELU_HEAD[DEGREE]), |acc, &c| fma(acc, u, splat(c)));
            fma(u, q, $mul(splat(0.5), x))
        }

        /// GELU by the tail: `x/2 · erfc(|z|)` for `z < 0`, `x/2 · (2 − erfc(|z|))`
        /// otherwise.
        #[inline]
        #[target_feature(enable = $features)]
        fn tail(x: $v) -> $v {
            use $crate::cpu::erf::{TAIL, TAIL_END};
            let c = TAIL;
            let z = $mul(x, splat(std::f32::consts::FRAC_1_SQRT_2));
            let z2 = $mul(z, z);
            let t = $sub($min($abs(z), splat(TAIL_END)), splat(1.0));
            let t2 = $mul(t, t);
            let t4 = $mul(t2, t2);
            let p01 = fma(splat(c[1]), t, splat(c[0]));
            let p23 = fma(splat(c[3]), t, splat(c[2]));
            let p45 = fma(splat(c[5]), t, splat(c[4]));
            let p67 = fma(splat(c[7]), t, splat(c[6]));
            let low = fma(t2, p23, p01);
            let high = fma(t2, p67, p45);
            let p = fma($mul(t4, t4), splat(c[8]), fma(t4, high, low));
            let erfc = exp($sub(p, z2));
            $mul($mul(splat(0.5), x), $one_plus_erf(z, erfc))
        }
    };
}
pub(super) use gelu_lane_steps;
