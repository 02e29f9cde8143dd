//! `BertPooler`: `tanh(dense(h[:, 0]))` (transformers' `BertPooler`).

use kiln_autograd::Var;

use crate::models::init::linear;
use crate::{Forward, Linear, Module};

/// The first token's state through a dense layer and tanh: BERT's `pooler_output`.
#[derive(Module)]
pub struct BertPooler {
    /// `[H, H]`.
    pub dense: Linear,
}

impl BertPooler {
    /// A zero-filled pooler of width `hidden_size`.
    pub fn new(hidden_size: usize) -> BertPooler {
        BertPooler {
            dense: linear(hidden_size, hidden_size),
        }
    }

    /// `hidden` `[B, L, H]` → `[B, H]`.
    pub fn forward(&self, hidden: &Var) -> Var {
        self.dense.forward(&hidden.select(1usize, 0)).tanh()
    }
}
