//! BPE: model, trainer and file formats.

mod model;
mod serialization;
mod trainer;

pub use model::{Bpe, BpeConfig};
pub(crate) use serialization::{BpeJson, BpeJsonOut};
pub use trainer::BpeTrainer;
