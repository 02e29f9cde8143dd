//! Support code for Kiln's own tests and benches; a dev-dependency only, never shipped.
//!
//! - [`alloc`]: a global allocator that records the largest single allocation, so a fuzz test
//!   can assert that no input under 1 MB makes a parser ask for more than 1 GiB.
//! - [`mutate`]: structured mutations of valid files (bytes, lines' neighbours, JSON trees)
//!   and the case count of every fuzz proptest (`KILN_FUZZ_CASES`).
//! - [`memory`]: peak resident memory of a bench workload, for `cargo xtask bench`.
//! - [`harness`]: `--list`, filters and libtest's result line for `harness = false` tests.
//! - [`mpi`]: a test binary run as the ranks of an `mpirun` job.
//! - [`bench_main!`]: `criterion_main!` on Kiln's thread pool with the caller as a worker.

pub mod alloc;
mod bench;
pub mod harness;
pub mod memory;
pub mod mpi;
pub mod mutate;
