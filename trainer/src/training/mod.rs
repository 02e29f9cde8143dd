//! The Hugging Face-style Trainer: arguments, the loop, callbacks, checkpoints and progress.

pub mod args;
pub mod callback;
pub mod checkpoint;
pub mod control;
pub mod early_stopping;
pub mod error;
mod json_float;
pub mod progress;
pub mod schedule;
pub mod state;
pub mod trainer;
