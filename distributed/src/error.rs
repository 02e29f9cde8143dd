//! [`DistributedError`]: what can go wrong joining or talking to the other ranks.

use std::fmt;
use std::time::Duration;

/// A failure of the process group or of a collective.
#[derive(Debug, Clone, PartialEq)]
pub enum DistributedError {
    /// The process was launched as one of several ranks, but Kiln was built without the
    /// `mpi` feature, so it cannot talk to the others.
    NotBuiltWithMpi {
        /// Which launcher's environment said so (`mpirun (Open MPI)`, `mpiexec (MPICH)`).
        launcher: &'static str,
        /// The world size the launcher announced.
        world_size: usize,
    },
    /// The launcher's environment is inconsistent (a rank outside the world, say).
    BadLaunchEnvironment(String),
    /// MPI could not be initialised (already initialised by someone else, or the library
    /// refused the threading level).
    InitFailed(String),
    /// MPI's world does not match what the launcher's environment announced.
    WorldMismatch {
        /// Rank and size from the environment.
        env: (usize, usize),
        /// Rank and size from `MPI_Comm_rank` / `MPI_Comm_size`.
        mpi: (usize, usize),
    },
    /// A collective did not complete within the group's timeout: another rank died, hangs
    /// or issued a different collective.
    Timeout {
        /// The collective (`all_reduce`, `broadcast`, …).
        op: &'static str,
        /// The timeout that passed.
        after: Duration,
    },
    /// The communication thread is gone (the group was shut down or a collective failed).
    Closed {
        /// The collective that could not be issued.
        op: &'static str,
    },
    /// Ranks disagree on something that must be the same everywhere (a buffer length, a
    /// parameter list).
    Mismatch(String),
}

impl fmt::Display for DistributedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DistributedError::NotBuiltWithMpi {
                launcher,
                world_size,
            } => write!(
                f,
                "launched by {launcher} as one of {world_size} ranks, but Kiln was built \
                 without the `mpi` feature; rebuild with `--features mpi` (Open MPI: apt \
                 install libopenmpi-dev openmpi-bin libclang-dev)"
            ),
            DistributedError::BadLaunchEnvironment(why) => {
                write!(f, "bad MPI launch environment: {why}")
            }
            DistributedError::InitFailed(why) => write!(f, "MPI initialisation failed: {why}"),
            DistributedError::WorldMismatch { env, mpi } => write!(
                f,
                "the launcher said rank {} of {}, MPI says rank {} of {}",
                env.0, env.1, mpi.0, mpi.1
            ),
            DistributedError::Timeout { op, after } => write!(
                f,
                "{op} did not complete within {:.0} s: another rank died, hangs or issued a \
                 different collective (set KILN_DIST_TIMEOUT_SECS to wait longer)",
                after.as_secs_f64()
            ),
            DistributedError::Closed { op } => write!(
                f,
                "{op}: the process group's communication thread has stopped (shut down, or \
                 an earlier collective failed)"
            ),
            DistributedError::Mismatch(why) => write!(f, "ranks disagree: {why}"),
        }
    }
}

impl std::error::Error for DistributedError {}
