//! The optimizers, one per file.

pub mod adadelta;
pub mod adagrad;
pub mod adam;
pub mod adamw;
pub mod rmsprop;
pub mod sgd;
