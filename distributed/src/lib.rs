//! Data-parallel training across processes and machines over MPI
//! (`torch.distributed` and `torch.nn.parallel.DistributedDataParallel`).
//!
//! - [`ProcessGroup`]: this process's rank, the world size and the collectives
//!   (all-reduce, broadcast, all-gather, barrier) on Kiln tensors of every dtype;
//!   [`ProcessGroup::init`] joins the job `mpirun -np N` started.
//! - [`DistributedDataParallel`] and its engine [`Reducer`]: parameters broadcast from rank 0,
//!   gradients averaged in buckets while backward runs, `no_sync` for accumulation.
//! - Each rank's share of the data is `kiln_data::samplers::DistributedSampler`.
//!
//! MPI (Open MPI or MPICH, through rsmpi) is behind the `mpi` feature; without it a process
//! is always a group of one, and a launch as one of several ranks is a clear error.
//!
//! ```
//! use kiln_distributed::{ProcessGroup, ReduceOp};
//! use kiln_tensor::tensor;
//!
//! let group = ProcessGroup::init()?; // a group of one when not launched by mpirun
//! let total = group.all_reduce(&tensor![1.0, 2.0], ReduceOp::Sum)?;
//! assert_eq!(total.to_vec::<f32>().len(), 2);
//! # Ok::<(), kiln_distributed::DistributedError>(())
//! ```

mod backend;
pub mod buffer;
pub mod collective;
pub mod ddp;
pub mod error;
pub mod group;
pub mod launch;
#[cfg(feature = "mpi")]
mod mpi_backend;
pub mod reducer;

pub use buffer::Buffer;
pub use collective::{Completed, Pending, ReduceOp};
pub use ddp::{DistributedDataParallel, broadcast_module};
pub use error::DistributedError;
pub use group::ProcessGroup;
pub use launch::LaunchInfo;
pub use reducer::{DEFAULT_BUCKET_CAP_BYTES, NoSyncGuard, Reducer, SyncStats};
