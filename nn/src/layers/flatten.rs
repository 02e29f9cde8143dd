//! Flatten (`nn.Flatten`).

use kiln_autograd::Var;

use crate::{Forward, Module, Visitor};

/// Merges dims `start_dim..=end_dim` into one (`nn.Flatten(start_dim=1, end_dim=-1)`), keeping
/// the batch dim by default.
#[derive(Debug, Clone, Copy)]
pub struct Flatten {
    /// First dim to merge (negative counts from the end).
    pub start_dim: i64,
    /// Last dim to merge, inclusive (negative counts from the end).
    pub end_dim: i64,
}

impl Flatten {
    /// `nn.Flatten(start_dim, end_dim)`.
    pub fn new(start_dim: i64, end_dim: i64) -> Flatten {
        Flatten { start_dim, end_dim }
    }
}

impl Default for Flatten {
    /// `nn.Flatten()`: dims 1 to the last.
    fn default() -> Flatten {
        Flatten::new(1, -1)
    }
}

impl Forward for Flatten {
    fn forward(&self, input: &Var) -> Var {
        input.flatten(self.start_dim, self.end_dim)
    }
}

impl Module for Flatten {
    fn type_name(&self) -> String {
        "Flatten".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        format!("start_dim={}, end_dim={}", self.start_dim, self.end_dim)
    }
}
