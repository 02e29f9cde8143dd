//! WordPiece: model, trainer and file formats.

mod model;
mod serialization;
mod trainer;

pub use model::{WordPiece, WordPieceConfig};
pub(crate) use serialization::{WordPieceJson, WordPieceJsonOut};
pub use trainer::WordPieceTrainer;
