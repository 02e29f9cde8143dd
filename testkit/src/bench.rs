//! [`bench_main!`](crate::bench_main): `criterion_main!` for Kiln's benches, which first makes
//! the bench's main thread a worker of Kiln's CPU thread pool, as the `kiln` program and the
//! examples do, so that a bench measures ops the way a Kiln program runs them.

/// `criterion::criterion_main!($group, …)` preceded by
/// `kiln_tensor::init_thread_pool(None)` (the pool size comes from `RAYON_NUM_THREADS`, which
/// `cargo xtask bench --threads` sets). The bench crate must depend on `criterion` and
/// `kiln-tensor`.
#[macro_export]
macro_rules! bench_main {
    ($($group:path),+ $(,)?) => {
        fn main() {
            ::kiln_tensor::init_thread_pool(None)
                .expect("the thread pool is set up before any parallel op");
            $($group();)+
            ::criterion::Criterion::default()
                .configure_from_args()
                .final_summary();
        }
    };
}
