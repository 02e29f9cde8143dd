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

/// True when the CPU runs AVX-512 F, BW, DQ and VL besides AVX2 and FMA (the x86-64-v4 level).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx512() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
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
