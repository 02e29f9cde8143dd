//! One DeBERTa encoder layer: disentangled attention, then the feed-forward block, each
//! post-LayerNorm (transformers' `DebertaV2Layer`, `DebertaV2Intermediate`, `DebertaV2Output`).

use kiln_autograd::Var;

use crate::models::activation::HiddenAct;
use crate::models::init::linear;
use crate::{Forward, Linear, Module};

use super::DebertaV2Config;
use super::attention::{AttentionContext, DebertaV2Attention, DebertaV2ResidualOutput};

/// `act(dense(x))` into the intermediate width (transformers' `DebertaV2Intermediate`).
#[derive(Module)]
pub struct DebertaV2Intermediate {
    /// `[intermediate_size, H]`.
    pub dense: Linear,
    #[module(skip)]
    activation: HiddenAct,
}

impl DebertaV2Intermediate {
    /// `act(dense(x))`.
    pub fn forward(&self, x: &Var) -> Var {
        self.activation.forward(&self.dense.forward(x))
    }
}

/// Attention, intermediate and output blocks (transformers' `DebertaV2Layer`: `attention`,
/// `intermediate`, `output`).
#[derive(Module)]
pub struct DebertaV2Layer {
    /// Disentangled self-attention with its residual output.
    pub attention: DebertaV2Attention,
    /// Up-projection with the activation.
    pub intermediate: DebertaV2Intermediate,
    /// Down-projection, dropout, residual, LayerNorm.
    pub output: DebertaV2ResidualOutput,
}

impl DebertaV2Layer {
    /// A zero-filled layer for `config`.
    pub fn new(config: &DebertaV2Config) -> DebertaV2Layer {
        DebertaV2Layer {
            attention: DebertaV2Attention::new(config),
            intermediate: DebertaV2Intermediate {
                dense: linear(config.hidden_size, config.intermediate_size),
                activation: config.hidden_act,
            },
            output: DebertaV2ResidualOutput::new(config, config.intermediate_size),
        }
    }

    /// `hidden` `[B, L, H]` → `[B, L, H]` and, with `need_probs`, the layer's attention
    /// probabilities `[B, heads, L, L]`.
    pub fn forward(
        &self,
        hidden: &Var,
        context: &AttentionContext<'_>,
        rel_embeddings: Option<&Var>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let (attended, probs) = self
            .attention
            .forward(hidden, context, rel_embeddings, need_probs);
        let up = self.intermediate.forward(&attended);
        (self.output.forward(&up, &attended), probs)
    }
}
