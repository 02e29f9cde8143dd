//! [`DataLoader`]: batches of a [`Dataset`] per epoch, optionally from worker threads
//! (`torch.utils.data.DataLoader`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kiln_tensor::with_global_generator;

use crate::collate::{Collate, DefaultCollate};
use crate::dataset::Dataset;
use crate::samplers::{BatchSample, BatchSampler, RandomSampler, Sampler, SequentialSampler};
use crate::workers::WorkerPool;

/// Iterates a dataset in batches (`torch.utils.data.DataLoader(dataset, batch_size,
/// shuffle, sampler, batch_sampler, num_workers, collate_fn, drop_last, prefetch_factor,
/// generator)`).
///
/// Defaults follow PyTorch: batch size 1, no shuffle, keep the last short batch, no workers,
/// prefetch factor 2, [`DefaultCollate`]. The shuffle seed defaults to a draw from the
/// global generator ([`kiln_tensor::manual_seed`] makes it repeatable); epoch `e` shuffles
/// with `seed + e`. Every call to [`DataLoader::iter`] starts the next epoch, as a new
/// `for batch in loader` does in PyTorch; [`DataLoader::iter_epoch`] replays any epoch.
///
/// Batches come out in sampler order whatever `num_workers` is; worker threads only make
/// them earlier. A panic in the dataset or collate function reaches the caller of `next`.
///
/// Which indices form a batch: a custom batch sampler if set, else the custom sampler if
/// set, else a [`RandomSampler`] (shuffle) or [`SequentialSampler`], cut into
/// `batch_size` pieces (`drop_last` drops a short last piece).
pub struct DataLoader<D, C = DefaultCollate> {
    dataset: Arc<D>,
    collate: Arc<C>,
    batch_size: usize,
    shuffle: bool,
    seed: u64,
    drop_last: bool,
    sampler: Option<Arc<dyn Sampler>>,
    batch_sampler: Option<Arc<dyn BatchSample>>,
    num_workers: usize,
    prefetch_factor: usize,
    epoch: AtomicU64,
}

impl<D: Dataset + 'static> DataLoader<D, DefaultCollate> {
    /// A loader over `dataset` with PyTorch's defaults (batch size 1).
    pub fn new(dataset: D) -> Self {
        Self::from_arc(Arc::new(dataset))
    }

    /// A loader over a shared dataset.
    pub fn from_arc(dataset: Arc<D>) -> Self {
        DataLoader {
            dataset,
            collate: Arc::new(DefaultCollate),
            batch_size: 1,
            shuffle: false,
            seed: with_global_generator(|g| g.next_u64()),
            drop_last: false,
            sampler: None,
            batch_sampler: None,
            num_workers: 0,
            prefetch_factor: 2,
            epoch: AtomicU64::new(0),
        }
    }
}

impl<D: Dataset + 'static, C> DataLoader<D, C> {
    /// Items per batch (`batch_size=`); panics on 0.
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        assert!(
            batch_size > 0,
            "DataLoader: batch_size must be positive, got 0"
        );
        self.batch_size = batch_size;
        self
    }

    /// Reshuffles every epoch (`shuffle=True`).
    pub fn with_shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The shuffle seed (`generator=torch.Generator().manual_seed(seed)`).
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Drops the last batch when it is short (`drop_last=True`).
    pub fn with_drop_last(mut self, drop_last: bool) -> Self {
        self.drop_last = drop_last;
        self
    }

    /// Takes indices from `sampler` (`sampler=`), batched by `batch_size`; overrides shuffle.
    pub fn with_sampler(mut self, sampler: impl Sampler + 'static) -> Self {
        self.sampler = Some(Arc::new(sampler));
        self
    }

    /// Takes whole batches from `batch_sampler` (`batch_sampler=`); overrides batch size,
    /// shuffle, sampler and drop_last.
    pub fn with_batch_sampler(mut self, batch_sampler: impl BatchSample + 'static) -> Self {
        self.batch_sampler = Some(Arc::new(batch_sampler));
        self
    }

    /// Makes batches on `num_workers` threads (`num_workers=`); 0 makes them on the caller.
    pub fn with_num_workers(mut self, num_workers: usize) -> Self {
        self.num_workers = num_workers;
        self
    }

    /// Batches each worker may prepare ahead of the consumer (`prefetch_factor=`); panics
    /// on 0.
    pub fn with_prefetch_factor(mut self, prefetch_factor: usize) -> Self {
        assert!(
            prefetch_factor > 0,
            "DataLoader: prefetch_factor must be positive, got 0"
        );
        self.prefetch_factor = prefetch_factor;
        self
    }

    /// Replaces the collate function (`collate_fn=`).
    pub fn with_collate<C2: Collate<D::Item> + 'static>(self, collate: C2) -> DataLoader<D, C2> {
        DataLoader {
            dataset: self.dataset,
            collate: Arc::new(collate),
            batch_size: self.batch_size,
            shuffle: self.shuffle,
            seed: self.seed,
            drop_last: self.drop_last,
            sampler: self.sampler,
            batch_sampler: self.batch_sampler,
            num_workers: self.num_workers,
            prefetch_factor: self.prefetch_factor,
            epoch: self.epoch,
        }
    }

    /// The dataset.
    pub fn dataset(&self) -> &D {
        &self.dataset
    }

    /// Items per batch.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// Number of worker threads.
    pub fn num_workers(&self) -> usize {
        self.num_workers
    }

    /// The index lists of the batches of `epoch`.
    pub fn batch_indices(&self, epoch: u64) -> Vec<Vec<usize>> {
        self.batch_plan().batches(epoch)
    }

    fn batch_plan(&self) -> Arc<dyn BatchSample> {
        if let Some(b) = &self.batch_sampler {
            return b.clone();
        }
        let n = self.dataset.len();
        let sampler: Box<dyn Sampler> = match &self.sampler {
            Some(s) => Box::new(SharedSampler(s.clone())),
            None if self.shuffle => Box::new(RandomSampler::new(n, self.seed)),
            None => Box::new(SequentialSampler::new(n)),
        };
        Arc::new(BatchSampler::from_boxed(
            sampler,
            self.batch_size,
            self.drop_last,
        ))
    }

    /// Number of batches per epoch (`len(loader)`).
    pub fn len(&self) -> usize {
        self.batch_plan().len()
    }

    /// `true` when an epoch yields no batch.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The epoch the next [`DataLoader::iter`] call will run.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Relaxed)
    }

    /// Sets the epoch the next [`DataLoader::iter`] call will run (as
    /// `DistributedSampler.set_epoch`).
    pub fn set_epoch(&self, epoch: u64) {
        self.epoch.store(epoch, Ordering::Relaxed);
    }
}

impl<D: Dataset + 'static, C: Collate<D::Item> + 'static> DataLoader<D, C> {
    /// Iterates the next epoch and advances the epoch counter.
    pub fn iter(&self) -> EpochIter<'_, D, C> {
        let epoch = self.epoch.fetch_add(1, Ordering::Relaxed);
        self.iter_epoch(epoch)
    }

    /// Iterates epoch `epoch` without touching the epoch counter.
    pub fn iter_epoch(&self, epoch: u64) -> EpochIter<'_, D, C> {
        self.iter_epoch_from(epoch, 0)
    }

    /// Iterates epoch `epoch` from its batch `skip` on, without loading the skipped batches
    /// (what a resumed run needs; accelerate's `skip_first_batches`). The batches are the
    /// ones [`DataLoader::iter_epoch`] gives after its first `skip`.
    pub fn iter_epoch_from(&self, epoch: u64, skip: usize) -> EpochIter<'_, D, C> {
        let mut batches = self.batch_indices(epoch);
        batches.drain(..skip.min(batches.len()));
        let inner = if self.num_workers == 0 || batches.is_empty() {
            Inner::Inline { batches, next: 0 }
        } else {
            let workers = self.num_workers.min(batches.len());
            Inner::Workers(WorkerPool::start(
                self.dataset.clone(),
                self.collate.clone(),
                batches,
                workers,
                self.prefetch_factor,
            ))
        };
        EpochIter {
            loader: self,
            inner,
        }
    }
}

impl<'a, D: Dataset + 'static, C: Collate<D::Item> + 'static> IntoIterator
    for &'a DataLoader<D, C>
{
    type Item = C::Batch;
    type IntoIter = EpochIter<'a, D, C>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// A shared sampler used inside a [`BatchSampler`].
struct SharedSampler(Arc<dyn Sampler>);

impl Sampler for SharedSampler {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn indices(&self, epoch: u64) -> Vec<usize> {
        self.0.indices(epoch)
    }
}

enum Inner<B> {
    Inline {
        batches: Vec<Vec<usize>>,
        next: usize,
    },
    Workers(WorkerPool<B>),
}

/// The batches of one epoch, in order (what `iter(loader)` gives in PyTorch).
pub struct EpochIter<'a, D: Dataset, C: Collate<D::Item>> {
    loader: &'a DataLoader<D, C>,
    inner: Inner<C::Batch>,
}

impl<D: Dataset + 'static, C: Collate<D::Item> + 'static> Iterator for EpochIter<'_, D, C> {
    type Item = C::Batch;

    fn next(&mut self) -> Option<C::Batch> {
        match &mut self.inner {
            Inner::Inline { batches, next } => {
                let batch = batches.get(*next)?;
                *next += 1;
                let items: Vec<D::Item> =
                    batch.iter().map(|&i| self.loader.dataset.get(i)).collect();
                Some(self.loader.collate.collate(items))
            }
            Inner::Workers(pool) => pool.next_batch(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = match &self.inner {
            Inner::Inline { batches, next } => batches.len() - next,
            Inner::Workers(pool) => pool.remaining(),
        };
        (left, Some(left))
    }
}

impl<D: Dataset + 'static, C: Collate<D::Item> + 'static> ExactSizeIterator
    for EpochIter<'_, D, C>
{
}
