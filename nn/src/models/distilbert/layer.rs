//! DistilBERT's `TransformerBlock`: `MultiHeadSelfAttention` (`q_lin`, `k_lin`, `v_lin`,
//! `out_lin`), `sa_layer_norm`, the `FFN` (`lin1`, `lin2`) and `output_layer_norm`.

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::activation::HiddenAct;
use crate::models::bert::multi_head_self_attention;
use crate::models::init::{layer_norm, linear};
use crate::models::layer_stack::EncoderLayer;
use crate::{Dropout, Forward, LayerNorm, Linear, Module};

use super::config::{DISTILBERT_LAYER_NORM_EPS, DistilBertConfig};

/// Self-attention with its output projection (transformers' `MultiHeadSelfAttention`).
#[derive(Module)]
pub struct DistilBertSelfAttention {
    /// `attention_dropout` on the probabilities.
    pub dropout: Dropout,
    /// Query projection.
    pub q_lin: Linear,
    /// Key projection.
    pub k_lin: Linear,
    /// Value projection.
    pub v_lin: Linear,
    /// Output projection.
    pub out_lin: Linear,
    #[module(skip)]
    num_heads: usize,
}

/// `dropout(lin2(act(lin1(x))))` (transformers' `FFN`).
#[derive(Module)]
pub struct DistilBertFeedForward {
    /// `dropout`.
    pub dropout: Dropout,
    /// `[hidden_dim, dim]`.
    pub lin1: Linear,
    /// `[dim, hidden_dim]`.
    pub lin2: Linear,
    #[module(skip)]
    activation: HiddenAct,
}

/// One DistilBERT layer (transformers' `TransformerBlock`).
#[derive(Module)]
pub struct DistilBertLayer {
    /// Self-attention.
    pub attention: DistilBertSelfAttention,
    /// LayerNorm after the attention residual.
    pub sa_layer_norm: LayerNorm,
    /// Feed-forward block.
    pub ffn: DistilBertFeedForward,
    /// LayerNorm after the feed-forward residual.
    pub output_layer_norm: LayerNorm,
}

impl DistilBertLayer {
    /// A zero-filled layer for `config`.
    pub fn new(config: &DistilBertConfig) -> DistilBertLayer {
        let d = config.dim;
        DistilBertLayer {
            attention: DistilBertSelfAttention {
                dropout: Dropout::new(config.attention_dropout),
                q_lin: linear(d, d),
                k_lin: linear(d, d),
                v_lin: linear(d, d),
                out_lin: linear(d, d),
                num_heads: config.n_heads,
            },
            sa_layer_norm: layer_norm(d, DISTILBERT_LAYER_NORM_EPS),
            ffn: DistilBertFeedForward {
                dropout: Dropout::new(config.dropout),
                lin1: linear(d, config.hidden_dim),
                lin2: linear(config.hidden_dim, d),
                activation: config.activation,
            },
            output_layer_norm: layer_norm(d, DISTILBERT_LAYER_NORM_EPS),
        }
    }

    /// `hidden` `[B, L, dim]` → `[B, L, dim]` and, with `need_probs`, the attention
    /// probabilities.
    pub fn forward(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let a = &self.attention;
        let (context, probs) = multi_head_self_attention(
            [&a.q_lin, &a.k_lin, &a.v_lin],
            hidden,
            additive_mask,
            a.num_heads,
            &a.dropout,
            need_probs,
        );
        let attended = self
            .sa_layer_norm
            .forward(&a.out_lin.forward(&context).add(hidden));
        let f = &self.ffn;
        let up = f.activation.forward(&f.lin1.forward(&attended));
        let down = f.dropout.forward(&f.lin2.forward(&up));
        (self.output_layer_norm.forward(&down.add(&attended)), probs)
    }
}

impl EncoderLayer for DistilBertLayer {
    fn forward_layer(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        self.forward(hidden, additive_mask, need_probs)
    }
}
