//! One BERT encoder layer: attention, then the feed-forward block, each post-LayerNorm
//! (transformers' `BertLayer`, `BertIntermediate`, `BertOutput`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::activation::HiddenAct;
use crate::models::init::linear;
use crate::{Forward, Linear, Module};

use super::BertConfig;
use super::attention::{BertAttention, BertResidualOutput};

/// `act(dense(x))` into the intermediate width (transformers' `BertIntermediate`).
#[derive(Module)]
pub struct BertIntermediate {
    /// `[intermediate_size, H]`.
    pub dense: Linear,
    #[module(skip)]
    activation: HiddenAct,
}

impl BertIntermediate {
    /// `act(dense(x))`.
    pub fn forward(&self, x: &Var) -> Var {
        self.activation.forward(&self.dense.forward(x))
    }
}

/// Attention, intermediate and output blocks (transformers' `BertLayer`: `attention`,
/// `intermediate`, `output`).
#[derive(Module)]
pub struct BertLayer {
    /// Self-attention with its residual output.
    pub attention: BertAttention,
    /// Up-projection with the activation.
    pub intermediate: BertIntermediate,
    /// Down-projection, dropout, residual, LayerNorm.
    pub output: BertResidualOutput,
}

impl BertLayer {
    /// A zero-filled layer for `config`.
    pub fn new(config: &BertConfig) -> BertLayer {
        BertLayer {
            attention: BertAttention::new(config),
            intermediate: BertIntermediate {
                dense: linear(config.hidden_size, config.intermediate_size),
                activation: config.hidden_act,
            },
            output: BertResidualOutput::new(config, config.intermediate_size),
        }
    }

    /// `hidden` `[B, L, H]` → `[B, L, H]` and, with `need_probs`, the layer's attention
    /// probabilities.
    pub fn forward(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let (attended, probs) = self.attention.forward(hidden, additive_mask, need_probs);
        let up = self.intermediate.forward(&attended);
        (self.output.forward(&up, &attended), probs)
    }
}
