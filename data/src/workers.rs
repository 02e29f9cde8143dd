//! Worker threads of the [`DataLoader`](crate::DataLoader): bounded prefetch, batches in
//! sampler order.
//!
//! As in PyTorch, batch `i` goes to worker `i % num_workers`, each worker has its own
//! bounded queue, and the consumer reads the queues round-robin, so the output order never
//! depends on thread timing and at most `prefetch_factor` batches per worker wait ready.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::collate::Collate;
use crate::dataset::Dataset;

/// A finished batch, or the panic that a dataset or collate function raised making it.
type Outcome<B> = Result<B, Box<dyn Any + Send>>;

/// The worker threads of one epoch; dropping it stops and joins them.
pub(crate) struct WorkerPool<B> {
    receivers: Vec<Receiver<Outcome<B>>>,
    handles: Vec<JoinHandle<()>>,
    next: usize,
    total: usize,
}

impl<B: Send + 'static> WorkerPool<B> {
    /// Starts `num_workers` threads making `batches` with `dataset` and `collate`, each
    /// running at most `prefetch_factor` batches ahead of the consumer.
    pub(crate) fn start<D, C>(
        dataset: Arc<D>,
        collate: Arc<C>,
        batches: Vec<Vec<usize>>,
        num_workers: usize,
        prefetch_factor: usize,
    ) -> Self
    where
        D: Dataset + 'static,
        C: Collate<D::Item, Batch = B> + 'static,
    {
        let total = batches.len();
        let batches = Arc::new(batches);
        let mut receivers = Vec::with_capacity(num_workers);
        let mut handles = Vec::with_capacity(num_workers);
        for worker in 0..num_workers {
            // One batch in the send call plus `prefetch_factor - 1` queued.
            let (tx, rx) = sync_channel(prefetch_factor.saturating_sub(1));
            let (dataset, collate, batches) = (dataset.clone(), collate.clone(), batches.clone());
            let handle = std::thread::Builder::new()
                .name(format!("kiln-data-worker-{worker}"))
                .spawn(move || run_worker(&*dataset, &*collate, &batches, worker, num_workers, tx))
                .expect("DataLoader: failed to spawn a worker thread");
            receivers.push(rx);
            handles.push(handle);
        }
        WorkerPool {
            receivers,
            handles,
            next: 0,
            total,
        }
    }

    /// The next batch in order; re-raises a worker's panic on the calling thread.
    pub(crate) fn next_batch(&mut self) -> Option<B> {
        if self.next >= self.total {
            return None;
        }
        let rx = &self.receivers[self.next % self.receivers.len()];
        self.next += 1;
        match rx.recv() {
            Ok(Ok(batch)) => Some(batch),
            Ok(Err(panic)) => resume_unwind(panic),
            Err(_) => panic!("DataLoader: a worker thread exited before sending its batch"),
        }
    }

    /// Batches not yet returned.
    pub(crate) fn remaining(&self) -> usize {
        self.total - self.next
    }
}

impl<B> Drop for WorkerPool<B> {
    fn drop(&mut self) {
        // Closing the queues makes every blocked `send` fail, so the workers stop.
        self.receivers.clear();
        for handle in self.handles.drain(..) {
            // A worker's panic was already forwarded through its queue.
            let _ = handle.join();
        }
    }
}

fn run_worker<D, C>(
    dataset: &D,
    collate: &C,
    batches: &[Vec<usize>],
    worker: usize,
    num_workers: usize,
    tx: SyncSender<Outcome<C::Batch>>,
) where
    D: Dataset,
    C: Collate<D::Item>,
{
    for batch in batches.iter().skip(worker).step_by(num_workers) {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let items: Vec<D::Item> = batch.iter().map(|&i| dataset.get(i)).collect();
            collate.collate(items)
        }));
        let failed = outcome.is_err();
        if tx.send(outcome).is_err() || failed {
            return;
        }
    }
}
