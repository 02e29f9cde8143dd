//! # kiln-data
//!
//! Data loading for Kiln with PyTorch's `torch.utils.data` names, scikit-learn's splits and
//! Hugging Face's padding collator:
//!
//! - [`Dataset`] (map-style, any item type), [`TensorDataset`], [`Subset`], [`MapDataset`];
//! - [`DataLoader`]: batch size, seeded per-epoch shuffle, `drop_last`, custom samplers,
//!   worker threads with bounded prefetch and a fixed batch order;
//! - collation: [`DefaultCollate`] (`default_collate`), [`DataCollatorWithPadding`] and the
//!   seeds' [`trim_to_longest`];
//! - [`samplers`]: sequential, random, weighted random, stratified batches, and each rank's share for data-parallel training;
//! - [`splits`]: `random_split`, `train_test_split`, `KFold`, `StratifiedKFold`;
//! - [`table`]: typed in-memory tables streamed from CSV and JSONL;
//! - [`augment`]: seeded image and text augmentation;
//! - [`datasets`]: IMDB and Fashion-MNIST from the `cargo xtask fetch` cache.
//!
//! ```
//! use kiln_data::{DataLoader, FnDataset};
//! use kiln_tensor::Tensor;
//!
//! // The seeds' NumberSumDataset: (x, y) -> x + y over 0..10.
//! let data = FnDataset::new(100, |i| {
//!     let (x, y) = ((i / 10) as f32, (i % 10) as f32);
//!     (Tensor::from_vec(vec![x, y], [2]), x + y)
//! });
//! let loader = DataLoader::new(data).with_batch_size(32).with_shuffle(true).with_seed(7);
//! assert_eq!(loader.len(), 4);
//! let mut seen = 0;
//! for (inputs, targets) in &loader {
//!     assert_eq!(inputs.dims()[1], 2);
//!     seen += targets.dims()[0];
//! }
//! assert_eq!(seen, 100);
//! ```

pub mod augment;
pub mod collate;
mod dataset;
pub mod datasets;
mod loader;
mod rng;
pub mod samplers;
pub mod splits;
pub mod table;
mod workers;

pub use collate::{
    Collatable, Collate, DataCollatorWithPadding, DefaultCollate, TokenBatch, TokenSequence,
    trim_to_longest,
};
pub use dataset::{Dataset, FnDataset, MapDataset, Subset, TensorDataset, VecDataset};
pub use loader::{DataLoader, EpochIter};
pub use samplers::{BatchSample, Sampler};
pub use splits::{
    Fold, KFold, LeastPopulatedClassWarning, StratifiedKFold, StratifiedSplit, TrainTestSplit,
    random_split, train_test_split,
};
pub use table::Table;
