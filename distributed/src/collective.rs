//! What a backend is asked to do ([`Collective`]) and how the answer comes back
//! ([`Pending`]).

use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use crate::buffer::Buffer;
use crate::error::DistributedError;

/// How [`crate::ProcessGroup::all_reduce`] combines the ranks' tensors
/// (`torch.distributed.ReduceOp`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceOp {
    /// Elementwise sum (`ReduceOp.SUM`); logical or for booleans.
    Sum,
    /// Elementwise mean over ranks (`ReduceOp.AVG`); floating dtypes only.
    Mean,
    /// Elementwise maximum (`ReduceOp.MAX`).
    Max,
    /// Elementwise minimum (`ReduceOp.MIN`).
    Min,
}

/// One collective, carrying this rank's data.
#[derive(Debug)]
pub(crate) enum Collective {
    /// Every rank ends with the elementwise reduction (`Mean` is summed here; the caller
    /// divides).
    AllReduce {
        /// This rank's contribution.
        data: Buffer,
        /// The reduction; a group of one ignores it (only MPI reads it).
        #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
        op: ReduceOp,
    },
    /// Every rank ends with `root`'s data; `data` is the receive buffer elsewhere.
    Broadcast {
        /// The root's data, or a buffer of the same length and type on the others.
        data: Buffer,
        /// The rank that sends; a group of one ignores it (only MPI reads it).
        #[cfg_attr(not(feature = "mpi"), allow(dead_code))]
        root: usize,
    },
    /// Every rank ends with all ranks' data concatenated in rank order; lengths may differ.
    AllGather {
        /// This rank's contribution.
        data: Buffer,
    },
    /// Returns once every rank has entered.
    Barrier,
}

impl Collective {
    /// The PyTorch name of the collective, for messages.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Collective::AllReduce { .. } => "all_reduce",
            Collective::Broadcast { .. } => "broadcast",
            Collective::AllGather { .. } => "all_gather",
            Collective::Barrier => "barrier",
        }
    }
}

/// What a completed collective gives back.
#[derive(Debug)]
pub struct Completed {
    /// The result (empty for a barrier).
    pub data: Buffer,
    /// For an all-gather, each rank's element count, in rank order; empty otherwise.
    pub counts: Vec<usize>,
    /// Wall time the communication itself took on the communication thread.
    pub comm_time: Duration,
}

/// A collective in flight (`torch.distributed.Work` of an `async_op=True` call): wait for it
/// with [`Pending::wait`].
#[derive(Debug)]
pub struct Pending {
    op: &'static str,
    reply: Receiver<Completed>,
    timeout: Duration,
    issued: Instant,
}

impl Pending {
    /// A collective `op` issued now, whose result arrives on `reply`.
    pub(crate) fn new(op: &'static str, reply: Receiver<Completed>, timeout: Duration) -> Pending {
        Pending {
            op,
            reply,
            timeout,
            issued: Instant::now(),
        }
    }

    /// Blocks until the collective completes (`work.wait()`); a collective that does not
    /// complete within the group's timeout of being issued is an error.
    pub fn wait(self) -> Result<Completed, DistributedError> {
        let left = self.timeout.saturating_sub(self.issued.elapsed());
        match self.reply.recv_timeout(left) {
            Ok(done) => Ok(done),
            Err(RecvTimeoutError::Timeout) => Err(DistributedError::Timeout {
                op: self.op,
                after: self.timeout,
            }),
            Err(RecvTimeoutError::Disconnected) => Err(DistributedError::Closed { op: self.op }),
        }
    }
}
