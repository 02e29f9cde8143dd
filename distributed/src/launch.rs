//! [`LaunchInfo`]: which rank this process is, as the MPI launcher's environment says.

use crate::error::DistributedError;

/// This process's place in a job, read from the variables `mpirun` / `mpiexec` set
/// (what `torchrun` puts in `RANK`, `WORLD_SIZE`, `LOCAL_RANK`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaunchInfo {
    /// Rank in the job, `0..world_size`.
    pub rank: usize,
    /// Number of processes in the job.
    pub world_size: usize,
    /// Rank among the processes on this machine.
    pub local_rank: usize,
    /// The launcher, for messages.
    pub launcher: &'static str,
}

/// The environment variables of one launcher: rank, size, local rank.
struct LauncherVars {
    launcher: &'static str,
    rank: &'static str,
    size: &'static str,
    local_rank: &'static str,
}

/// Open MPI's `mpirun`, then MPICH's and Intel MPI's Hydra `mpiexec`.
const LAUNCHERS: &[LauncherVars] = &[
    LauncherVars {
        launcher: "mpirun (Open MPI)",
        rank: "OMPI_COMM_WORLD_RANK",
        size: "OMPI_COMM_WORLD_SIZE",
        local_rank: "OMPI_COMM_WORLD_LOCAL_RANK",
    },
    LauncherVars {
        launcher: "mpiexec (MPICH Hydra)",
        rank: "PMI_RANK",
        size: "PMI_SIZE",
        local_rank: "MPI_LOCALRANKID",
    },
];

impl LaunchInfo {
    /// The launch this process is part of, from the process environment; `None` when no
    /// launcher started it (a plain run, world size 1).
    pub fn from_env() -> Result<Option<LaunchInfo>, DistributedError> {
        LaunchInfo::from_vars(|name| std::env::var(name).ok())
    }

    /// As [`LaunchInfo::from_env`], reading variables through `var` (for tests).
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<LaunchInfo>, DistributedError> {
        for vars in LAUNCHERS {
            let (Some(rank), Some(size)) = (var(vars.rank), var(vars.size)) else {
                continue;
            };
            let number = |name: &str, value: &str| {
                value.trim().parse::<usize>().map_err(|_| {
                    DistributedError::BadLaunchEnvironment(format!(
                        "{name}={value:?} is not a non-negative integer"
                    ))
                })
            };
            let rank = number(vars.rank, &rank)?;
            let world_size = number(vars.size, &size)?;
            let local_rank = match var(vars.local_rank) {
                Some(value) => number(vars.local_rank, &value)?,
                None => rank,
            };
            if world_size == 0 || rank >= world_size {
                return Err(DistributedError::BadLaunchEnvironment(format!(
                    "{}={rank} is not a rank of a world of {}={world_size}",
                    vars.rank, vars.size
                )));
            }
            return Ok(Some(LaunchInfo {
                rank,
                world_size,
                local_rank,
                launcher: vars.launcher,
            }));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn reads_open_mpi_and_hydra_variables() {
        let open_mpi = [
            ("OMPI_COMM_WORLD_RANK", "1"),
            ("OMPI_COMM_WORLD_SIZE", "4"),
            ("OMPI_COMM_WORLD_LOCAL_RANK", "0"),
        ];
        let info = LaunchInfo::from_vars(vars(&open_mpi)).unwrap().unwrap();
        assert_eq!((info.rank, info.world_size, info.local_rank), (1, 4, 0));
        let hydra = [("PMI_RANK", "2"), ("PMI_SIZE", "3")];
        let info = LaunchInfo::from_vars(vars(&hydra)).unwrap().unwrap();
        assert_eq!((info.rank, info.world_size, info.local_rank), (2, 3, 2));
        assert_eq!(LaunchInfo::from_vars(vars(&[])).unwrap(), None);
    }

    #[test]
    fn inconsistent_variables_are_typed_errors() {
        for bad in [
            [("PMI_RANK", "3"), ("PMI_SIZE", "3")],
            [("PMI_RANK", "x"), ("PMI_SIZE", "3")],
            [("PMI_RANK", "0"), ("PMI_SIZE", "0")],
        ] {
            let err = LaunchInfo::from_vars(vars(&bad)).unwrap_err();
            assert!(
                matches!(err, DistributedError::BadLaunchEnvironment(_)),
                "{err}"
            );
        }
    }
}
