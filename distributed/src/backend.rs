//! [`Backend`]: who carries out collectives: this process alone, or MPI.

use std::sync::mpsc;
use std::time::Duration;

use crate::buffer::Buffer;
use crate::collective::{Collective, Completed, Pending};

/// Carries out collectives for a [`crate::ProcessGroup`]. Collectives complete in the order
/// they are submitted, the same order on every rank.
pub(crate) trait Backend: Send + Sync {
    /// This process's rank.
    fn rank(&self) -> usize;
    /// Number of ranks.
    fn world_size(&self) -> usize;
    /// Rank among the processes on this machine.
    fn local_rank(&self) -> usize;
    /// Starts `collective`; the answer arrives on the returned [`Pending`].
    fn submit(&self, collective: Collective, timeout: Duration) -> Pending;
    /// Ends every rank of the job at once with `code` (`MPI_Abort`).
    fn abort(&self, code: i32) -> !;
    /// Releases the backend (`MPI_Finalize`) unless a collective is stuck; idempotent.
    fn shutdown(&self);
}

/// The group of one: every collective returns this rank's own data at once.
pub(crate) struct SingleProcess;

impl Backend for SingleProcess {
    fn rank(&self) -> usize {
        0
    }

    fn world_size(&self) -> usize {
        1
    }

    fn local_rank(&self) -> usize {
        0
    }

    fn submit(&self, collective: Collective, timeout: Duration) -> Pending {
        let (tx, rx) = mpsc::channel();
        let op = collective.name();
        let done = match collective {
            Collective::AllReduce { data, .. } | Collective::Broadcast { data, .. } => Completed {
                data,
                counts: Vec::new(),
                comm_time: Duration::ZERO,
            },
            Collective::AllGather { data } => Completed {
                counts: vec![data.len()],
                data,
                comm_time: Duration::ZERO,
            },
            Collective::Barrier => Completed {
                data: Buffer::U8(Vec::new()),
                counts: Vec::new(),
                comm_time: Duration::ZERO,
            },
        };
        // The receiver is alive: it is returned below.
        let _ = tx.send(done);
        Pending::new(op, rx, timeout)
    }

    fn abort(&self, code: i32) -> ! {
        std::process::exit(code)
    }

    fn shutdown(&self) {}
}
