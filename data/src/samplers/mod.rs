//! Samplers: which dataset indices an epoch visits and how they are grouped into batches
//! (`torch.utils.data.Sampler` / `BatchSampler`).
//!
//! Samplers are pure functions of the epoch number, so the loader can replay any epoch and
//! the order never depends on threads.

mod batch;
mod distributed;
mod random;
mod sequential;
mod stratified;
mod weighted;

pub use batch::BatchSampler;
pub use distributed::DistributedSampler;
pub use random::RandomSampler;
pub use sequential::SequentialSampler;
pub use stratified::StratifiedBatchSampler;
pub use weighted::WeightedRandomSampler;

/// Yields the dataset indices of one epoch (`torch.utils.data.Sampler`).
pub trait Sampler: Send + Sync {
    /// Number of indices per epoch (`len(sampler)`).
    fn len(&self) -> usize;

    /// The indices of `epoch` (0-based); the same epoch always gives the same list.
    fn indices(&self, epoch: u64) -> Vec<usize>;

    /// `true` when an epoch yields no index.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Yields the batches of one epoch as lists of dataset indices (the `batch_sampler`
/// argument of `torch.utils.data.DataLoader`).
pub trait BatchSample: Send + Sync {
    /// Number of batches per epoch.
    fn len(&self) -> usize;

    /// The batches of `epoch` (0-based); the same epoch always gives the same batches.
    fn batches(&self, epoch: u64) -> Vec<Vec<usize>>;

    /// `true` when an epoch yields no batch.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
