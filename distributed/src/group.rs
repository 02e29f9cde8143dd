//! [`ProcessGroup`]: this process's rank among the job's and the collectives between them
//! (`torch.distributed`'s default process group).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use kiln_tensor::{DType, Tensor};

use crate::backend::{Backend, SingleProcess};
use crate::buffer::Buffer;
use crate::collective::{Collective, Completed, Pending, ReduceOp};
use crate::error::DistributedError;
use crate::launch::LaunchInfo;

/// Environment variable with the collective timeout in seconds.
pub const TIMEOUT_ENV: &str = "KILN_DIST_TIMEOUT_SECS";

/// The collective timeout when [`TIMEOUT_ENV`] is not set: PyTorch's 30 minutes.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// The group [`ProcessGroup::init`] made, for the whole process.
static GLOBAL: OnceLock<ProcessGroup> = OnceLock::new();
static INIT_LOCK: Mutex<()> = Mutex::new(());
/// Set by a panic or a failed collective: finalising MPI at exit would then wait for peers
/// that may never come, so the process exits without it and the launcher ends the job.
static FAILED: AtomicBool = AtomicBool::new(false);

/// The ranks of a data-parallel job and the collectives between them
/// (`torch.distributed.init_process_group` / `get_rank` / `all_reduce` / …).
///
/// Launched by `mpirun -np N` (Open MPI) or `mpiexec -n N` (MPICH) with the `mpi` feature,
/// [`ProcessGroup::init`] joins the MPI world; launched plainly, the group is this process
/// alone and every collective returns its input. Collectives block until every rank has
/// called the same one, in the same order; one that takes longer than the timeout
/// ([`TIMEOUT_ENV`], 30 minutes by default) is a [`DistributedError::Timeout`].
pub struct ProcessGroup {
    backend: Box<dyn Backend>,
    timeout: Duration,
}

impl std::fmt::Debug for ProcessGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessGroup")
            .field("rank", &self.rank())
            .field("world_size", &self.world_size())
            .field("local_rank", &self.local_rank())
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl ProcessGroup {
    /// The process's group, made on the first call from the launcher's environment
    /// (`init_process_group(backend="mpi")`); later calls return the same group. MPI is
    /// finalised when the process exits normally.
    ///
    /// Errors: launched as one of several ranks without the `mpi` feature, an inconsistent
    /// launch environment, or MPI failing to start.
    pub fn init() -> Result<&'static ProcessGroup, DistributedError> {
        let _guard = INIT_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(group) = GLOBAL.get() {
            return Ok(group);
        }
        let timeout = timeout_from_env()?;
        let backend = backend_from_env()?;
        let group = GLOBAL.get_or_init(|| ProcessGroup { backend, timeout });
        if group.world_size() > 1 {
            register_exit_handlers();
        }
        Ok(group)
    }

    /// The group [`ProcessGroup::init`] made, if it has been called
    /// (`torch.distributed.is_initialized`).
    pub fn get() -> Option<&'static ProcessGroup> {
        GLOBAL.get()
    }

    /// A group of this process alone, whatever the environment says.
    pub fn single() -> ProcessGroup {
        ProcessGroup {
            backend: Box::new(SingleProcess),
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// This process's rank, `0..world_size` (`get_rank()`).
    pub fn rank(&self) -> usize {
        self.backend.rank()
    }

    /// Number of processes (`get_world_size()`).
    pub fn world_size(&self) -> usize {
        self.backend.world_size()
    }

    /// Rank among the processes on this machine (torchrun's `LOCAL_RANK`).
    pub fn local_rank(&self) -> usize {
        self.backend.local_rank()
    }

    /// `true` on rank 0, the one that logs and saves (HF's `is_world_process_zero`).
    pub fn is_main_process(&self) -> bool {
        self.rank() == 0
    }

    /// How long a collective may take.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Starts an all-reduce of `data` (`all_reduce(..., async_op=True)`); with
    /// [`ReduceOp::Mean`] the waiter gets the sum, to divide by the world size.
    pub fn all_reduce_async(&self, data: Buffer, op: ReduceOp) -> Pending {
        self.backend
            .submit(Collective::AllReduce { data, op }, self.timeout)
    }

    /// Every rank's `tensor` combined elementwise by `op`, on every rank (`all_reduce`).
    /// Booleans sum as logical or; f16 and bf16 are reduced in f32. Panics when `op` is
    /// [`ReduceOp::Mean`] and the dtype is not floating, as PyTorch raises.
    pub fn all_reduce(&self, tensor: &Tensor, op: ReduceOp) -> Result<Tensor, DistributedError> {
        let dtype = tensor.dtype();
        assert!(
            op != ReduceOp::Mean || dtype.is_float(),
            "all_reduce: ReduceOp::Mean needs a floating dtype, got {dtype:?}"
        );
        let op = if dtype == DType::Bool && op == ReduceOp::Sum {
            ReduceOp::Max
        } else {
            op
        };
        let mut data = self
            .finish(self.all_reduce_async(Buffer::from_tensor(tensor), op))?
            .data;
        if op == ReduceOp::Mean {
            data.divide(self.world_size());
        }
        Ok(data.into_tensor(tensor.dims(), dtype, &tensor.device()))
    }

    /// Rank `root`'s `tensor` on every rank (`broadcast`); the others pass a tensor of the
    /// same shape and dtype, whose values are ignored.
    pub fn broadcast(&self, tensor: &Tensor, root: usize) -> Result<Tensor, DistributedError> {
        self.check_root(root)?;
        let collective = Collective::Broadcast {
            data: Buffer::from_tensor(tensor),
            root,
        };
        let data = self
            .finish(self.backend.submit(collective, self.timeout))?
            .data;
        if data.len() != tensor.numel() {
            return Err(DistributedError::Mismatch(format!(
                "broadcast of {} elements returned {}",
                tensor.numel(),
                data.len()
            )));
        }
        Ok(data.into_tensor(tensor.dims(), tensor.dtype(), &tensor.device()))
    }

    /// Every rank's `tensor`, in rank order (`all_gather`). The ranks' tensors must share
    /// dtype and trailing dimensions; their first dimensions may differ (a last, shorter
    /// batch of predictions, say).
    pub fn all_gather(&self, tensor: &Tensor) -> Result<Vec<Tensor>, DistributedError> {
        let dims = tensor.dims();
        let row: usize = dims.iter().skip(1).product();
        let collective = Collective::AllGather {
            data: Buffer::from_tensor(tensor),
        };
        let done = self.finish(self.backend.submit(collective, self.timeout))?;
        let mut pieces = Vec::with_capacity(done.counts.len());
        let mut at = 0;
        for &count in &done.counts {
            let piece_dims: Vec<usize> = if dims.is_empty() {
                if count != 1 {
                    return Err(DistributedError::Mismatch(format!(
                        "all_gather of a scalar received {count} elements from one rank"
                    )));
                }
                Vec::new()
            } else {
                if row == 0 || count % row != 0 {
                    return Err(DistributedError::Mismatch(format!(
                        "all_gather of rows of {row} elements received {count} from one rank"
                    )));
                }
                std::iter::once(count / row)
                    .chain(dims[1..].iter().copied())
                    .collect()
            };
            let piece = done.data.slice(at..at + count);
            pieces.push(piece.into_tensor(&piece_dims, tensor.dtype(), &tensor.device()));
            at += count;
        }
        Ok(pieces)
    }

    /// Returns once every rank has called it (`barrier()`).
    pub fn barrier(&self) -> Result<(), DistributedError> {
        self.finish(self.backend.submit(Collective::Barrier, self.timeout))
            .map(drop)
    }

    /// Ends every rank of the job now with exit code `code` (`MPI_Abort`): what a rank that
    /// cannot go on does so the others do not wait for it until their timeout.
    pub fn abort(&self, code: i32) -> ! {
        FAILED.store(true, Ordering::SeqCst);
        self.backend.abort(code)
    }

    /// Waits for `pending`; a failure marks the process so it exits without finalising.
    pub fn finish(&self, pending: Pending) -> Result<Completed, DistributedError> {
        pending
            .wait()
            .inspect_err(|_| FAILED.store(true, Ordering::SeqCst))
    }

    fn check_root(&self, root: usize) -> Result<(), DistributedError> {
        if root < self.world_size() {
            Ok(())
        } else {
            Err(DistributedError::Mismatch(format!(
                "root {root} is not a rank of a world of {}",
                self.world_size()
            )))
        }
    }
}

/// The collective timeout from [`TIMEOUT_ENV`], or [`DEFAULT_TIMEOUT`].
fn timeout_from_env() -> Result<Duration, DistributedError> {
    match std::env::var(TIMEOUT_ENV) {
        Err(_) => Ok(DEFAULT_TIMEOUT),
        Ok(value) => parse_timeout(&value).ok_or_else(|| {
            DistributedError::BadLaunchEnvironment(format!(
                "{TIMEOUT_ENV}={value:?} is not a positive number of seconds"
            ))
        }),
    }
}

/// A positive, finite number of seconds.
fn parse_timeout(value: &str) -> Option<Duration> {
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s > 0.0)
        .map(Duration::from_secs_f64)
}

/// The backend the launch environment asks for.
fn backend_from_env() -> Result<Box<dyn Backend>, DistributedError> {
    match LaunchInfo::from_env()? {
        Some(launch) if launch.world_size > 1 => mpi_backend(launch),
        _ => Ok(Box::new(SingleProcess)),
    }
}

#[cfg(feature = "mpi")]
fn mpi_backend(launch: LaunchInfo) -> Result<Box<dyn Backend>, DistributedError> {
    Ok(Box::new(crate::mpi_backend::MpiBackend::start(launch)?))
}

#[cfg(not(feature = "mpi"))]
fn mpi_backend(launch: LaunchInfo) -> Result<Box<dyn Backend>, DistributedError> {
    Err(DistributedError::NotBuiltWithMpi {
        launcher: launch.launcher,
        world_size: launch.world_size,
    })
}

unsafe extern "C" {
    /// C's `atexit`: runs `callback` when the process exits normally (returning from `main`
    /// or `std::process::exit`).
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// Finalises MPI at exit, and marks a panicking process so that it does not.
fn register_exit_handlers() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        FAILED.store(true, Ordering::SeqCst);
        previous(info);
    }));
    // SAFETY: `finalize_at_exit` is a plain function that never unwinds.
    unsafe {
        atexit(finalize_at_exit);
    }
}

extern "C" fn finalize_at_exit() {
    if FAILED.load(Ordering::SeqCst) {
        return;
    }
    if let Some(group) = GLOBAL.get() {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| group.backend.shutdown()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kiln_tensor::tensor;

    #[test]
    fn a_group_of_one_returns_its_input_for_every_collective_and_dtype() {
        let group = ProcessGroup::single();
        assert_eq!((group.rank(), group.world_size()), (0, 1));
        assert!(group.is_main_process());
        let x = tensor![[1.0, 2.0], [3.0, 4.0]];
        for dtype in DType::ALL {
            let t = x.to_dtype(dtype);
            let ops: &[ReduceOp] = if dtype.is_float() {
                &[ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min]
            } else {
                &[ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min]
            };
            for &op in ops {
                let r = group.all_reduce(&t, op).unwrap();
                assert_eq!((r.dtype(), r.dims()), (dtype, t.dims()));
                assert_eq!(r.to_vec::<f64>(), t.to_vec::<f64>());
            }
            assert_eq!(
                group.broadcast(&t, 0).unwrap().to_vec::<f64>(),
                t.to_vec::<f64>()
            );
            let gathered = group.all_gather(&t).unwrap();
            assert_eq!(gathered.len(), 1);
            assert_eq!(gathered[0].dims(), t.dims());
        }
        group.barrier().unwrap();
        assert!(matches!(
            group.broadcast(&x, 1),
            Err(DistributedError::Mismatch(_))
        ));
    }

    #[cfg(not(feature = "mpi"))]
    #[test]
    fn several_ranks_without_the_mpi_feature_is_a_clear_error() {
        let launch = LaunchInfo {
            rank: 1,
            world_size: 2,
            local_rank: 1,
            launcher: "mpirun (Open MPI)",
        };
        let err = mpi_backend(launch)
            .err()
            .expect("no MPI backend without the feature");
        assert_eq!(
            err,
            DistributedError::NotBuiltWithMpi {
                launcher: "mpirun (Open MPI)",
                world_size: 2
            }
        );
        assert!(err.to_string().contains("--features mpi"), "{err}");
    }

    #[test]
    fn timeouts_from_the_environment_must_be_positive_seconds() {
        // Only the parser: the process environment is shared by every test.
        assert_eq!(parse_timeout("2.5"), Some(Duration::from_millis(2500)));
        for bad in ["0", "-1", "soon", "inf"] {
            assert_eq!(parse_timeout(bad), None, "{bad}");
        }
    }

    #[test]
    #[should_panic(expected = "needs a floating dtype")]
    fn mean_of_integers_is_refused() {
        let _ =
            ProcessGroup::single().all_reduce(&tensor![1.0].to_dtype(DType::I64), ReduceOp::Mean);
    }
}
