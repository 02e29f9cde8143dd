//! BERT's attention block: `BertSelfAttention` (query/key/value and the scaled dot-product)
//! and `BertAttention` (that, then `BertSelfOutput`: dense, dropout, residual, LayerNorm).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::scaled_dot_product_attention;
use crate::models::init::{layer_norm, linear};
use crate::{Dropout, Forward, LayerNorm, Linear, Module};

use super::BertConfig;

/// Multi-head self-attention with HF's names `query`, `key`, `value`
/// (transformers' `BertSelfAttention`, eager attention).
#[derive(Module)]
pub struct BertSelfAttention {
    /// `[H, H]` query projection.
    pub query: Linear,
    /// `[H, H]` key projection.
    pub key: Linear,
    /// `[H, H]` value projection.
    pub value: Linear,
    /// `attention_probs_dropout_prob` on the attention probabilities.
    pub dropout: Dropout,
    #[module(skip)]
    num_heads: usize,
}

/// Splits `[B, L, H]` into heads `[B, heads, L, H/heads]` (a view).
pub(crate) fn split_heads(x: &Var, num_heads: usize) -> Var {
    let d = x.dims();
    let (b, l, h) = (d[0] as isize, d[1] as isize, d[2] as isize);
    x.reshape(&[b, l, num_heads as isize, h / num_heads as isize])
        .permute(&[0, 2, 1, 3])
}

/// Merges heads `[B, heads, L, d]` back into `[B, L, heads·d]`.
pub(crate) fn merge_heads(x: &Var) -> Var {
    let d = x.dims();
    let (b, heads, l, hd) = (d[0] as isize, d[1] as isize, d[2] as isize, d[3] as isize);
    x.permute(&[0, 2, 1, 3]).reshape(&[b, l, heads * hd])
}

/// Multi-head self-attention over `hidden` `[B, L, H]` through three projections, with an
/// additive mask `[B, 1, 1, L]`; returns the merged context `[B, L, H]` and, when
/// `need_probs` (or when training needs them anyway), the attention probabilities
/// `[B, heads, L, L]`. Shared by BERT and DistilBERT.
pub(crate) fn multi_head_self_attention(
    projections: [&Linear; 3],
    hidden: &Var,
    additive_mask: Option<&Tensor>,
    num_heads: usize,
    dropout: &Dropout,
    need_probs: bool,
) -> (Var, Option<Var>) {
    let [q, k, v] = projections.map(|p| split_heads(&p.forward(hidden), num_heads));
    let (context, probs) = scaled_dot_product_attention(
        &q,
        &k,
        &v,
        additive_mask,
        dropout.p(),
        dropout.is_training(),
        need_probs,
    );
    (merge_heads(&context), probs)
}

impl BertSelfAttention {
    /// Zero-filled projections for `config`.
    pub fn new(config: &BertConfig) -> BertSelfAttention {
        let h = config.hidden_size;
        BertSelfAttention {
            query: linear(h, h),
            key: linear(h, h),
            value: linear(h, h),
            dropout: Dropout::new(config.attention_probs_dropout_prob),
            num_heads: config.num_attention_heads,
        }
    }

    /// `hidden` `[B, L, H]` → context `[B, L, H]` and, with `need_probs`, the probabilities
    /// `[B, heads, L, L]` (`output_attentions`).
    pub fn forward(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        multi_head_self_attention(
            [&self.query, &self.key, &self.value],
            hidden,
            additive_mask,
            self.num_heads,
            &self.dropout,
            need_probs,
        )
    }
}

/// `LayerNorm(dropout(dense(x)) + residual)`: transformers' `BertSelfOutput` and `BertOutput`.
#[derive(Module)]
pub struct BertResidualOutput {
    /// Projection back to `H`.
    pub dense: Linear,
    /// LayerNorm with `layer_norm_eps`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `hidden_dropout_prob`.
    pub dropout: Dropout,
}

impl BertResidualOutput {
    /// Zero-filled `in_features → H` projection for `config`.
    pub fn new(config: &BertConfig, in_features: usize) -> BertResidualOutput {
        BertResidualOutput {
            dense: linear(in_features, config.hidden_size),
            layer_norm: layer_norm(config.hidden_size, config.layer_norm_eps),
            dropout: Dropout::new(config.hidden_dropout_prob),
        }
    }

    /// `LayerNorm(dropout(dense(x)) + residual)`.
    pub fn forward(&self, x: &Var, residual: &Var) -> Var {
        let projected = self.dropout.forward(&self.dense.forward(x));
        self.layer_norm.forward(&projected.add(residual))
    }
}

/// Self-attention then its output block (transformers' `BertAttention`: `self`, `output`).
#[derive(Module)]
pub struct BertAttention {
    /// The attention proper; saved as `attention.self.*`.
    #[module(rename = "self")]
    pub self_attention: BertSelfAttention,
    /// Dense, dropout, residual, LayerNorm.
    pub output: BertResidualOutput,
}

impl BertAttention {
    /// Zero-filled block for `config`.
    pub fn new(config: &BertConfig) -> BertAttention {
        BertAttention {
            self_attention: BertSelfAttention::new(config),
            output: BertResidualOutput::new(config, config.hidden_size),
        }
    }

    /// `hidden` `[B, L, H]` → `[B, L, H]` and, with `need_probs`, the attention
    /// probabilities.
    pub fn forward(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let (context, probs) = self
            .self_attention
            .forward(hidden, additive_mask, need_probs);
        (self.output.forward(&context, hidden), probs)
    }
}
