//! `cargo xtask test`: the whole suite, with the GPU driver and the data it needs.

pub mod mpi;
pub mod summary;
pub mod vulkan;

use crate::error::{Result, XtaskError};
use crate::fetch;
use crate::process;
use crate::workspace::Workspace;
use summary::Totals;

/// Datasets the test suite reads; fetched before `cargo test` runs.
pub const TEST_DATASETS: &[&str] = &["minilm", "imdb", "sotu", "fashion-mnist"];

/// Installs/fetches what the tests need, runs `cargo test --workspace --all-features`, prints
/// `xtask test: N passed, N failed`, and fails if cargo or any test did.
///
/// `--all-features` is always used: the GPU backend loads Vulkan at run time, and the `mpi`
/// feature builds against Open MPI, which is installed here when missing (its two-rank tests
/// then must run: `KILN_REQUIRE_MPI=1`). Without a Vulkan driver the GPU tests skip
/// themselves, unless `CI` is set, where a missing driver is an error and
/// `KILN_REQUIRE_GPU=1` makes them fail (CI also builds without incremental state, to spare
/// its disk).
pub fn run() -> Result<()> {
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    vulkan::ensure(ci)?;
    mpi::ensure()?;
    let cache = kiln_hub::cache_dir()?;
    for name in TEST_DATASETS {
        let dataset = kiln_hub::find(name)
            .ok_or_else(|| XtaskError::Other(format!("TEST_DATASETS names unknown `{name}`")))?;
        fetch::ensure(&cache, dataset, false)?;
    }
    let workspace = Workspace::load()?;
    let mut cmd = process::cargo();
    cmd.args(["test", "--workspace", "--all-features", "--no-fail-fast"])
        .current_dir(&workspace.root)
        .env(kiln_hub::CACHE_ENV, &cache)
        .env("WGPU_BACKEND", "vulkan")
        .env("KILN_REQUIRE_DATA", "1")
        .env("KILN_REQUIRE_MPI", "1");
    if ci {
        // A one-off build gains nothing from incremental state, which took 2 GB of CI's disk.
        cmd.env("KILN_REQUIRE_GPU", "1")
            .env("CARGO_INCREMENTAL", "0");
    }
    crate::say!(
        "running {} with KILN_CACHE={}, WGPU_BACKEND=vulkan, KILN_REQUIRE_DATA=1, \
         KILN_REQUIRE_MPI=1{}",
        process::describe(&cmd),
        cache.display(),
        if ci {
            ", KILN_REQUIRE_GPU=1, CARGO_INCREMENTAL=0"
        } else {
            ""
        }
    );
    let command = process::describe(&cmd);
    let mut totals = Totals::default();
    let status = process::stream_lines(&mut cmd, |line| {
        println!("{line}");
        totals.add_line(line);
    })?;
    println!("xtask: {} passed, {} failed", totals.passed, totals.failed);
    if totals.failed > 0 {
        return Err(XtaskError::Other(format!("{} tests failed", totals.failed)));
    }
    process::check(status, command, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_datasets_are_known() {
        for name in TEST_DATASETS {
            assert!(kiln_hub::find(name).is_some(), "{name}");
        }
    }
}
