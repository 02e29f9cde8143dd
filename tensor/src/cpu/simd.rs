//! Runtime choice of vector width: a kernel is written once as portable generic Rust and also
//! compiled for AVX2+FMA, which is picked at run time when the CPU has both.

/// Defines `fn $name(args) -> ret` running `$portable(args)`: compiled for AVX2+FMA when the
/// CPU supports both (std caches the CPUID check), as built otherwise. `$portable` should be
/// `#[inline(always)]` so that its whole body is compiled for the wider target.
macro_rules! avx2_kernel {
    (
        $(#[$meta:meta])*
        fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)? = $portable:path;
    ) => {
        $(#[$meta])*
        fn $name($($arg: $ty),*) $(-> $ret)? {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2,fma")]
                fn wide($($arg: $ty),*) $(-> $ret)? {
                    $portable($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
                {
                    // SAFETY: the CPU supports AVX2 and FMA, checked just above.
                    return unsafe { wide($($arg),*) };
                }
            }
            $portable($($arg),*)
        }
    };
}
pub(crate) use avx2_kernel;
