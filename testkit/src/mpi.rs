//! Running a test binary as the ranks of an MPI job: `mpirun --oversubscribe -np N` on
//! itself, with what Open MPI needs inside a container.

use std::path::Path;
use std::process::Command;

/// Set by Open MPI's `mpirun` in every rank's environment.
const RANK_ENV: &str = "OMPI_COMM_WORLD_RANK";

/// Set by `cargo xtask test`: a missing `mpirun` fails the MPI tests instead of skipping them.
pub const REQUIRE_MPI_ENV: &str = "KILN_REQUIRE_MPI";

/// `true` inside a rank that `mpirun` started.
pub fn is_rank() -> bool {
    std::env::var_os(RANK_ENV).is_some()
}

/// This rank's number under `mpirun`, 0 otherwise.
pub fn rank() -> usize {
    std::env::var(RANK_ENV)
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// `mpirun --oversubscribe -np ranks program`, ready to add arguments to; `None` (after a
/// message) when Open MPI's `mpirun` is not installed, unless [`REQUIRE_MPI_ENV`] is set,
/// where that panics.
///
/// Root may run the job (CI containers run as root), the shared-memory transport copies
/// through its own buffers (containers forbid cross-process memory access), and ranks
/// yield the CPU while they wait (more ranks than cores).
pub fn mpirun(ranks: usize, program: &Path) -> Option<Command> {
    let found = Command::new("mpirun")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os(REQUIRE_MPI_ENV).is_none(),
            "{REQUIRE_MPI_ENV} is set but `mpirun` is not installed (apt install openmpi-bin)"
        );
        eprintln!("skipping: Open MPI's `mpirun` is not installed");
        return None;
    }
    let mut cmd = Command::new("mpirun");
    cmd.args(["--oversubscribe", "-np", &ranks.to_string()])
        .arg(program)
        .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
        .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1")
        .env("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
        .env("OMPI_MCA_mpi_yield_when_idle", "1");
    Some(cmd)
}
