//! Turning a list of items into a batch: the [`Collate`] trait, PyTorch's
//! `default_collate` ([`DefaultCollate`]) and dynamic padding of token sequences
//! ([`DataCollatorWithPadding`]).

mod default;
mod padding;
mod trim;

pub use default::{Collatable, DefaultCollate};
pub use padding::{DataCollatorWithPadding, Padding, TokenBatch, TokenSequence};
pub use trim::trim_to_longest;

/// Merges the items of one batch into the batch value (the `collate_fn` of
/// `torch.utils.data.DataLoader`). Closures `Fn(Vec<I>) -> B` are collators too.
pub trait Collate<I>: Send + Sync {
    /// The batch type.
    type Batch: Send + 'static;

    /// Merges `items` (never empty when called by the loader) into one batch.
    fn collate(&self, items: Vec<I>) -> Self::Batch;
}

impl<I, B, F> Collate<I> for F
where
    F: Fn(Vec<I>) -> B + Send + Sync,
    B: Send + 'static,
{
    type Batch = B;

    fn collate(&self, items: Vec<I>) -> B {
        self(items)
    }
}
