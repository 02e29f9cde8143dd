//! Runtime choice of vector width: a kernel is written once as portable generic Rust and also
//! compiled for AVX2+FMA, which is picked at run time when the CPU has both.

/// Defines `fn $name(args) -> ret` running `$portable(args)`: compiled for AVX2+FMA when the
/// CPU supports both (std caches the CPUID check), as built otherwise. `$portable` should be
/// `#[inline(always)]` so that its whole body is compiled for the wider target.
///
/// With `= fused $portable<Types>` the kernel's last generic parameter is `const FMA: bool`,
/// set to `true` only in the AVX2+FMA build, where [`mul_add`] is then one fused instruction
/// (elsewhere a multiply and an add, never a slow software `fma` call).
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
                #[target_feature(enable = "avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    $wide
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

/// True when the CPU runs AVX2 and FMA instructions (std caches the CPUID check).
#[cfg(target_arch = "x86_64")]
#[inline]
pub(crate) fn has_avx2_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// `a·b + c`: rounded once by an FMA instruction when `FMA` (only inside code compiled for
/// it, see [`avx2_kernel!`]), else a multiply then an add.
#[inline(always)]
pub(crate) fn mul_add<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}
