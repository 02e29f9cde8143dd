//! [`MpiBackend`]: collectives over MPI, carried out by one communication thread.
//!
//! MPI is initialised on a dedicated thread, and every collective runs there in submission
//! order (`MPI_THREAD_FUNNELED` is all it needs). The caller hands over a buffer and gets a
//! [`Pending`] back, so `DistributedDataParallel` can average one bucket of gradients while
//! backward computes the next.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mpi::Count;
use mpi::collective::SystemOperation;
use mpi::datatype::{Equivalence, PartitionMut};
use mpi::environment::Threading;
use mpi::topology::SimpleCommunicator;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use crate::backend::Backend;
use crate::buffer::Buffer;
use crate::collective::{Collective, Completed, Pending, ReduceOp};
use crate::error::DistributedError;
use crate::launch::LaunchInfo;

/// A collective to run and where to send its result.
struct Job {
    collective: Collective,
    reply: Sender<Completed>,
}

/// The MPI world, driven by the `kiln-mpi` thread.
pub(crate) struct MpiBackend {
    rank: usize,
    world_size: usize,
    local_rank: usize,
    /// Jobs to the communication thread; `None` after shutdown.
    queue: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// Collectives submitted and not yet finished: a shutdown with one in flight would wait
    /// in `MPI_Finalize` for peers that may be gone, so it is skipped.
    in_flight: Arc<AtomicUsize>,
}

impl MpiBackend {
    /// Initialises MPI on a new thread and checks its world against the launcher's `launch`.
    pub(crate) fn start(launch: LaunchInfo) -> Result<MpiBackend, DistributedError> {
        let (queue, jobs) = mpsc::channel::<Job>();
        let (ready, started) = mpsc::channel();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let counter = in_flight.clone();
        let thread = std::thread::Builder::new()
            .name("kiln-mpi".into())
            .spawn(move || {
                let Some((universe, _threading)) =
                    mpi::initialize_with_threading(Threading::Funneled)
                else {
                    let _ = ready.send(Err(DistributedError::InitFailed(
                        "MPI was already initialised in this process".into(),
                    )));
                    return;
                };
                let world = universe.world();
                let local_rank = world.split_shared(world.rank()).rank() as usize;
                let _ = ready.send(Ok((
                    world.rank() as usize,
                    world.size() as usize,
                    local_rank,
                )));
                for job in jobs {
                    let start = Instant::now();
                    let (data, counts) = run(&world, job.collective);
                    // Done before the reply, so a caller that exits right after sees none
                    // in flight.
                    counter.fetch_sub(1, Ordering::SeqCst);
                    let _ = job.reply.send(Completed {
                        data,
                        counts,
                        comm_time: start.elapsed(),
                    });
                }
                // Dropping the universe calls MPI_Finalize.
                drop(universe);
            })
            .map_err(|e| DistributedError::InitFailed(format!("spawning kiln-mpi: {e}")))?;
        let (rank, world_size, local_rank) = started
            .recv()
            .map_err(|_| DistributedError::InitFailed("the MPI thread panicked".into()))??;
        if (rank, world_size) != (launch.rank, launch.world_size) {
            return Err(DistributedError::WorldMismatch {
                env: (launch.rank, launch.world_size),
                mpi: (rank, world_size),
            });
        }
        Ok(MpiBackend {
            rank,
            world_size,
            local_rank,
            queue: Mutex::new(Some(queue)),
            thread: Mutex::new(Some(thread)),
            in_flight,
        })
    }
}

impl Backend for MpiBackend {
    fn rank(&self) -> usize {
        self.rank
    }

    fn world_size(&self) -> usize {
        self.world_size
    }

    fn local_rank(&self) -> usize {
        self.local_rank
    }

    fn submit(&self, collective: Collective, timeout: Duration) -> Pending {
        let (reply, rx) = mpsc::channel();
        let op = collective.name();
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(queue) = queue.as_ref() {
            self.in_flight.fetch_add(1, Ordering::SeqCst);
            if queue.send(Job { collective, reply }).is_err() {
                self.in_flight.fetch_sub(1, Ordering::SeqCst);
            }
        }
        // A closed queue drops `reply`, so the wait reports `Closed`.
        Pending::new(op, rx, timeout)
    }

    fn abort(&self, code: i32) -> ! {
        // SAFETY: MPI is initialised (this backend exists); MPI_Abort may be called from
        // any thread and does not return.
        unsafe {
            mpi::ffi::MPI_Abort(mpi::ffi::RSMPI_COMM_WORLD, code);
        }
        std::process::exit(code)
    }

    fn shutdown(&self) {
        let queue = self.queue.lock().unwrap_or_else(|e| e.into_inner()).take();
        if self.in_flight.load(Ordering::SeqCst) > 0 {
            // A collective is stuck (a peer died or hangs): finalising would wait for it.
            return;
        }
        drop(queue);
        let thread = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

/// Runs one collective on `world`; returns the result and, for an all-gather, the counts.
fn run(world: &SimpleCommunicator, collective: Collective) -> (Buffer, Vec<usize>) {
    match collective {
        Collective::AllReduce { data, op } => {
            let op = match op {
                ReduceOp::Sum | ReduceOp::Mean => SystemOperation::sum(),
                ReduceOp::Max => SystemOperation::max(),
                ReduceOp::Min => SystemOperation::min(),
            };
            let data = match data {
                Buffer::F32(v) => Buffer::F32(all_reduce(world, &v, op)),
                Buffer::F64(v) => Buffer::F64(all_reduce(world, &v, op)),
                Buffer::I64(v) => Buffer::I64(all_reduce(world, &v, op)),
                Buffer::U8(v) => Buffer::U8(all_reduce(world, &v, op)),
            };
            (data, Vec::new())
        }
        Collective::Broadcast { mut data, root } => {
            let root = world.process_at_rank(root as i32);
            match &mut data {
                Buffer::F32(v) => root.broadcast_into(&mut v[..]),
                Buffer::F64(v) => root.broadcast_into(&mut v[..]),
                Buffer::I64(v) => root.broadcast_into(&mut v[..]),
                Buffer::U8(v) => root.broadcast_into(&mut v[..]),
            }
            (data, Vec::new())
        }
        Collective::AllGather { data } => {
            let mut counts = vec![0 as Count; world.size() as usize];
            world.all_gather_into(&(data.len() as Count), &mut counts[..]);
            let gathered = match data {
                Buffer::F32(v) => Buffer::F32(all_gather(world, &v, &counts)),
                Buffer::F64(v) => Buffer::F64(all_gather(world, &v, &counts)),
                Buffer::I64(v) => Buffer::I64(all_gather(world, &v, &counts)),
                Buffer::U8(v) => Buffer::U8(all_gather(world, &v, &counts)),
            };
            (gathered, counts.iter().map(|&c| c as usize).collect())
        }
        Collective::Barrier => {
            world.barrier();
            (Buffer::U8(Vec::new()), Vec::new())
        }
    }
}

/// `MPI_Allreduce` of `send` into a new vector.
fn all_reduce<T: Equivalence + Copy + Default>(
    world: &SimpleCommunicator,
    send: &[T],
    op: SystemOperation,
) -> Vec<T> {
    let mut out = vec![T::default(); send.len()];
    world.all_reduce_into(send, &mut out[..], op);
    out
}

/// `MPI_Allgatherv` of `send`, the ranks contributing `counts` elements each.
fn all_gather<T: Equivalence + Copy + Default>(
    world: &SimpleCommunicator,
    send: &[T],
    counts: &[Count],
) -> Vec<T> {
    let displs: Vec<Count> = counts
        .iter()
        .scan(0, |at, &c| {
            let d = *at;
            *at += c;
            Some(d)
        })
        .collect();
    let total: Count = counts.iter().sum();
    let mut out = vec![T::default(); total as usize];
    {
        let mut partition = PartitionMut::new(&mut out[..], counts, &displs[..]);
        world.all_gather_varcount_into(send, &mut partition);
    }
    out
}
