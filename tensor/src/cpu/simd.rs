//! Runtime choice of vector width: a kernel is written once as portable generic Rust and also
//! compiled for AVX2+FMA and for AVX-512 (F, BW, DQ, VL, with FMA), the widest of which the
//! CPU runs is picked at run time.
//!
//! The wider builds run the same operations in the same order, lane for lane, so they give
//! the same bits as the AVX2+FMA build: only how many lanes one instruction holds changes.

/// Defines `fn $name(args) -> ret` running `$portable(args)`: compiled for AVX-512 when the CPU
/// has it ([`has_avx512`]), else for AVX2+FMA when the CPU supports both (std caches the CPUID
/// checks), as built otherwise. `$portable` should be `#[inline(always)]` so that its whole
/// body is compiled for the wider targets.
///
/// With `= fused $portable<Types>` the kernel's last generic parameter is `const FMA: bool`,
/// set to `true` only in the AVX2+FMA and AVX-512 builds, where [`mul_add`] is then one fused
/// instruction (elsewhere a multiply and an add, never a slow software `fma` call).
macro_rules! avx2_kernel {
    (
        $(#[$meta:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $portable:path;
    ) => {
        $crate::cpu::simd::avx2_kernel! {
            @dispatch $(#[$meta])* fn $name($($arg: $ty),*) $(-> $ret)?
            { wide: $portable($($arg),*), portable: $portable($($arg),*) }
        }
    };
    (
        $(#[$meta:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?
            = fused $portable:ident $(<$($gen:ty),+>)?;
    ) => {
        $crate::cpu::simd::avx2_kernel! {
            @dispatch $(#[$meta])* fn $name($($arg: $ty),*) $(-> $ret)?
            {
                wide: $portable::<$($($gen,)+)? true>($($arg),*),
                portable: $portable::<$($($gen,)+)? false>($($arg),*)
            }
        }
    };
    (
        @dispatch $(#[$meta:meta])* fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)?
        { wide: $wide:expr, portable: $base:expr }
    ) => {
        $(#[$meta])*
        fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                fn widest($($arg: $ty),*) $(-> $ret)? {
                    $wide
                }
                #[target_feature(enable = "avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    $wide
                }
                if $crate::cpu::simd::has_avx512() {
                    // SAFETY: the CPU supports AVX-512 F/BW/DQ/VL, AVX2 and FMA, checked just
                    // above.
                    return unsafe { widest($($arg),*) };
                }
                if $crate::cpu::simd::has_avx2_fma() {
                    // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                    return unsafe { wide($($arg),*) };
                }
            }
            $base
        }
    };
}
pub(crate) use avx2_kernel;

/// Runs `f` compiled for the widest vector instructions the CPU has (AVX-512, AVX2+FMA or the
/// build's baseline), for generic element loops the [`avx2_kernel!`] macro cannot name: `f`
/// is inlined into a function built for that target, so its loops vectorise with it. Float
/// multiply-adds are not fused by this (Rust never contracts `a * b + c`), so every tier gives
/// the same bits.
#[inline(always)]
pub(crate) fn widest<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
        fn avx512<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        #[target_feature(enable = "avx2,fma")]
        fn avx2<R>(f: impl FnOnce() -> R) -> R {
            f()
        }
        if has_avx512() {
            // SAFETY: the CPU supports AVX-512 F/BW/DQ/VL, AVX2 and FMA, checked just above.
            return unsafe { avx512(f) };
        }
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA, checked just above.
            return unsafe { avx2(f) };
        }
    }
    f()
}

/// True when the CPU runs AVX2 and FMA instructions (std caches the CPUID check).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// True when the CPU runs AVX-512 F, BW, DQ and VL besides AVX2, FMA and POPCNT (the
/// x86-64-v4 level, which includes v2's POPCNT).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("popcnt")
        && std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512bw")
        && std::arch::is_x86_feature_detected!("avx512dq")
        && std::arch::is_x86_feature_detected!("avx512vl")
        && has_avx2_fma()
}

/// `a·b + c`: rounded once by an FMA instruction when `FMA` (only inside code compiled for
/// it, see [`avx2_kernel!`]), else a multiply then an add.
#[inline(always)]
pub(crate) fn mul_add<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// Sum of sixteen f32 lanes as a balanced tree: lane `i` plus lane `i + 8`, then `i + 4`,
/// `i + 2` and `i + 1` (the order of [`crate::ops::reduce::kernel::merge_lanes`]). With
/// `WIDE` (true only inside a build for AVX2+FMA or wider, see [`avx2_kernel!`]) this is four
/// vector adds and three shuffles; elsewhere the same adds lane by lane, so both give the same
/// bits. A loop that fills the lanes and hands them here vectorises at full width, where the
/// scalar tree inlined after it would lead LLVM to split the loop into two-lane pieces.
#[inline(always)]
pub(crate) fn sum16<const WIDE: bool>(acc: [f32; 16]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if WIDE {
        // SAFETY: `WIDE` is set only in code compiled for AVX2 and FMA, which the CPU was
        // checked to support before that code was entered.
        return unsafe { avx2_sums::sum16(&acc) };
    }
    tree_sum(acc)
}

/// [`sum16`] for thirty-two lanes (`i + 16` first), choosing the vector code at run time, for
/// folds that do not know which build they are inlined into.
#[inline(always)]
pub(crate) fn sum32(acc: [f32; 32]) -> f32 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA, checked just above.
        return unsafe { avx2_sums::sum32(&acc) };
    }
    tree_sum(acc)
}

/// The same tree one lane at a time, for builds without AVX2.
fn tree_sum<const L: usize>(acc: [f32; L]) -> f32 {
    crate::ops::reduce::kernel::merge_lanes(acc, |a, b| a + b)
}

/// The lane sums of [`sum16`] and [`sum32`] in AVX2 registers.
#[cfg(target_arch = "x86_64")]
mod avx2_sums {
    use std::arch::x86_64::*;

    /// Eight lanes from `acc[at..at + 8]`.
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn load<const L: usize>(acc: &[f32; L], at: usize) -> __m256 {
        assert!(at + 8 <= L);
        // SAFETY: `at + 8 <= L` elements are readable; the load has no alignment requirement.
        unsafe { _mm256_loadu_ps(acc.as_ptr().add(at)) }
    }

    /// The tree sum of eight lanes (`i + 4`, `i + 2`, `i + 1`).
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    fn sum8(s8: __m256) -> f32 {
        let s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps::<1>(s8));
        let s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
        _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps::<1>(s2, s2)))
    }

    /// Sixteen lanes: `i + 8`, then [`sum8`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn sum16(acc: &[f32; 16]) -> f32 {
        sum8(_mm256_add_ps(load(acc, 0), load(acc, 8)))
    }

    /// Thirty-two lanes: `i + 16`, `i + 8`, then [`sum8`].
    #[inline]
    #[target_feature(enable = "avx2,fma")]
    pub(super) fn sum32(acc: &[f32; 32]) -> f32 {
        let lo = _mm256_add_ps(load(acc, 0), load(acc, 16));
        let hi = _mm256_add_ps(load(acc, 8), load(acc, 24));
        sum8(_mm256_add_ps(lo, hi))
    }
}
