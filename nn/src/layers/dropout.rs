//! Dropout (`nn.Dropout`).

use std::sync::atomic::{AtomicBool, Ordering};

use kiln_autograd::Var;

use crate::module::repr::py_float;
use crate::{Forward, Module, Visitor};

/// Zeroes each element with probability `p` in training mode and scales the rest by
/// `1/(1−p)`; the identity in eval mode (`nn.Dropout(p=0.5)`). Masks come from the global
/// generator, so `manual_seed` makes them repeatable.
#[derive(Debug)]
pub struct Dropout {
    p: f64,
    training: AtomicBool,
}

impl Dropout {
    /// `nn.Dropout(p)`; panics unless `0 ≤ p ≤ 1`.
    pub fn new(p: f64) -> Dropout {
        assert!(
            (0.0..=1.0).contains(&p),
            "dropout probability has to be between 0 and 1, but got {p}"
        );
        Dropout {
            p,
            training: AtomicBool::new(true),
        }
    }

    /// The drop probability.
    pub fn p(&self) -> f64 {
        self.p
    }
}

impl Default for Dropout {
    /// `nn.Dropout()` with `p = 0.5`.
    fn default() -> Dropout {
        Dropout::new(0.5)
    }
}

impl Forward for Dropout {
    fn forward(&self, input: &Var) -> Var {
        input.dropout(self.p, self.training.load(Ordering::Relaxed))
    }
}

impl Module for Dropout {
    fn type_name(&self) -> String {
        "Dropout".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        format!("p={}, inplace=False", py_float(self.p))
    }

    fn own_training(&self) -> Option<bool> {
        Some(self.training.load(Ordering::Relaxed))
    }

    fn set_own_training(&self, training: bool) {
        self.training.store(training, Ordering::Relaxed);
    }
}
