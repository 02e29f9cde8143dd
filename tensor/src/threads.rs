//! The CPU thread pool Kiln's kernels run on: rayon's global pool, with the calling thread as
//! one of its workers, as PyTorch's intra-op pool (OpenMP) has the calling thread as thread 0.
//!
//! By default rayon's global pool is `RAYON_NUM_THREADS` (or one per CPU) threads of its own:
//! a parallel op called from `main` hands its work to them and sleeps until they finish. On
//! 2 cores that is three threads for two cores, and every op of a few hundred microseconds
//! pays a sleep and a wake-up. [`init_thread_pool`] makes the caller worker 0 instead, so
//! `main` runs its share of every op and `num_threads − 1` threads help it.

use std::fmt;

/// Why [`init_thread_pool`] could not make the calling thread a worker.
#[derive(Debug)]
pub struct ThreadPoolError(rayon::ThreadPoolBuildError);

impl fmt::Display for ThreadPoolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not set up Kiln's CPU thread pool ({}); it can be set up once per process, \
             before the first parallel op",
            self.0
        )
    }
}

impl std::error::Error for ThreadPoolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Builds rayon's global pool with `num_threads` workers (`RAYON_NUM_THREADS`, or one per
/// CPU, when `None`), the calling thread being worker 0 (`torch.set_num_threads` at start-up).
///
/// Call it once, first thing in `main`, from the thread that runs the model; that thread
/// must outlive every parallel op. Threads other than the caller (data-loader workers, say)
/// still hand their parallel work to the pool, where the other workers pick it up. With one
/// thread there would be no other worker, so the pool is then rayon's usual single helper
/// thread. An error if the global pool already exists, for example because a parallel op
/// ran first; the pool then stays as it was, so the error can be ignored at the cost of the
/// wake-ups described in the module docs.
pub fn init_thread_pool(num_threads: Option<usize>) -> Result<(), ThreadPoolError> {
    let n = num_threads
        .filter(|&n| n > 0)
        .unwrap_or_else(default_threads);
    let mut builder = rayon::ThreadPoolBuilder::new().num_threads(n);
    if n > 1 {
        builder = builder.use_current_thread();
    }
    builder.build_global().map_err(ThreadPoolError)
}

/// rayon's own default: `RAYON_NUM_THREADS` when it is a positive number, else one thread
/// per CPU.
fn default_threads() -> usize {
    std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
