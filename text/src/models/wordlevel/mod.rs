//! WordLevel: a word-to-id table.

mod model;

pub use model::WordLevel;
pub(crate) use model::{WordLevelJson, WordLevelJsonOut};
