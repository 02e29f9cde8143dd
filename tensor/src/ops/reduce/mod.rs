//! Reductions: `sum`, `mean`, `var`/`std`, `max`/`min` (with indices), `argmax`/`argmin`,
//! `prod`, `logsumexp`, `norm`, `all`/`any` and `cumsum`, over everything or over given dims.
//!
//! Every op plans its work with [`plan::Reduction`] (which views the input as
//! `[outer, reduced, inner]`, copying only when the reduced dims are not one contiguous block)
//! and runs one of the loops in [`kernel`].

mod cumsum;
mod extrema;
pub(crate) mod kernel;
mod logical;
mod logsumexp;
mod moments;
mod norm;
pub(crate) mod plan;
mod sum;
