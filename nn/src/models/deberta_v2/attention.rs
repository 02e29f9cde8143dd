//! DeBERTa's attention block: `DisentangledSelfAttention` (content-to-content scores plus the
//! content-to-position and position-to-content terms over relative positions) and
//! `DebertaV2Attention` (that, then `DebertaV2SelfOutput`: dense, dropout, residual,
//! LayerNorm), as transformers' `modeling_deberta_v2`.

use kiln_autograd::Var;
use kiln_tensor::{Device, Tensor};

use crate::models::bert::{merge_heads, split_heads};
use crate::models::init::{layer_norm, linear};
use crate::{Dropout, Forward, LayerNorm, Linear, Module};

use super::DebertaV2Config;

/// What every attention layer of one forward shares: the padding mask and the relative
/// positions, built once by the encoder.
pub struct AttentionContext<'a> {
    /// Bool `[B, 1, L, L]`, true where a query may not attend to a key (a padding query or a
    /// padding key, transformers' `~(m[:, None, None, :] · m[:, None, :, None])`); `None`
    /// attends everywhere.
    pub masked: Option<&'a Tensor>,
    /// The gather indices of the relative terms, built once per forward by
    /// [`RelativeIndices::new`]; `None` without relative attention.
    pub relative: Option<&'a RelativeIndices>,
}

/// Where the `c2p` and `p2c` terms read their scores: for query `i` and key `j`,
/// `clamp(rel(i, j) + att_span, 0, 2·att_span − 1)` and `clamp(−rel(j, i) + att_span, …)`,
/// each an int64 `[B, heads, L, L]` tensor (transformers' `c2p_pos` and `p2c_pos` expanded for
/// `torch.gather`).
///
/// A short sequence reads only the rows `rows` of the `2·att_span` relative embeddings (for
/// deberta-v3 at 128 tokens, 255 of 512), so only those are projected and scored; the indices
/// are stored relative to `rows.start`. The scores gathered are the same as transformers'.
pub struct RelativeIndices {
    /// Index into the relative scores of query `i` for key `j`, minus `rows.start`.
    pub c2p: Tensor,
    /// Index into the relative scores of key `j` for query `i`, minus `rows.start`, laid out
    /// `[B, heads, key, query]` as transformers gathers before transposing.
    pub p2c: Tensor,
    /// The rows of the relative embeddings any index reaches.
    pub rows: std::ops::Range<usize>,
}

impl RelativeIndices {
    /// The indices for `relative_pos` int64 `[L, L]` (query minus key, bucketed), a batch of
    /// `batch` and `heads` heads, on `device` (the hidden states').
    pub fn new(
        relative_pos: &Tensor,
        att_span: usize,
        batch: usize,
        heads: usize,
        device: &Device,
    ) -> Self {
        let l = relative_pos.dims()[0];
        let span = att_span as i64;
        let rel = relative_pos.to_vec::<i64>();
        let clamp = |x: i64| x.clamp(0, 2 * span - 1);
        let c2p: Vec<i64> = rel.iter().map(|&r| clamp(r + span)).collect();
        let p2c: Vec<i64> = rel.iter().map(|&r| clamp(-r + span)).collect();
        let all = c2p.iter().chain(&p2c);
        let lo = all.clone().copied().min().unwrap_or(0);
        let hi = all.copied().max().unwrap_or(0);
        let expand = |v: Vec<i64>| {
            let shifted: Vec<i64> = v.into_iter().map(|x| x - lo).collect();
            Tensor::from_vec(shifted, [1, 1, l, l])
                .to_device(device)
                .broadcast_to([batch, heads, l, l])
                .contiguous()
        };
        RelativeIndices {
            c2p: expand(c2p),
            p2c: expand(p2c),
            rows: lo as usize..hi as usize + 1,
        }
    }
}

/// Disentangled self-attention (transformers' `DisentangledSelfAttention`): parameters
/// `query_proj`, `key_proj`, `value_proj`, and without `share_att_key` `pos_key_proj` (for
/// `c2p`) and `pos_query_proj` (for `p2c`).
#[derive(Module)]
pub struct DisentangledSelfAttention {
    /// `[H, H]` query projection.
    pub query_proj: Linear,
    /// `[H, H]` key projection.
    pub key_proj: Linear,
    /// `[H, H]` value projection.
    pub value_proj: Linear,
    /// Key projection of the relative embeddings (`c2p` without `share_att_key`).
    pub pos_key_proj: Option<Linear>,
    /// Query projection of the relative embeddings (`p2c` without `share_att_key`).
    pub pos_query_proj: Option<Linear>,
    /// `hidden_dropout_prob` on the relative embeddings.
    pub pos_dropout: Dropout,
    /// `attention_probs_dropout_prob` on the attention probabilities.
    pub dropout: Dropout,
    #[module(skip)]
    num_heads: usize,
    #[module(skip)]
    c2p: bool,
    #[module(skip)]
    p2c: bool,
    #[module(skip)]
    relative_attention: bool,
}

/// `sqrt(head_dim · scale_factor)` in float32, as transformers' `scaled_size_sqrt`.
fn scaled_size_sqrt(head_dim: usize, scale_factor: usize) -> f64 {
    f64::from((head_dim as f32 * scale_factor as f32).sqrt())
}

impl DisentangledSelfAttention {
    /// Zero-filled projections for `config`.
    pub fn new(config: &DebertaV2Config) -> DisentangledSelfAttention {
        let h = config.hidden_size;
        let separate = config.relative_attention && !config.share_att_key;
        DisentangledSelfAttention {
            query_proj: linear(h, h),
            key_proj: linear(h, h),
            value_proj: linear(h, h),
            pos_key_proj: (separate && config.has_c2p()).then(|| linear(h, h)),
            pos_query_proj: (separate && config.has_p2c()).then(|| linear(h, h)),
            pos_dropout: Dropout::new(config.hidden_dropout_prob),
            dropout: Dropout::new(config.attention_probs_dropout_prob),
            num_heads: config.num_attention_heads,
            c2p: config.has_c2p(),
            p2c: config.has_p2c(),
            relative_attention: config.relative_attention,
        }
    }

    /// `1 + ` the number of relative terms: the scores are divided by
    /// `sqrt(head_dim · scale_factor)`.
    pub fn scale_factor(&self) -> usize {
        1 + usize::from(self.c2p) + usize::from(self.p2c)
    }

    /// `hidden` `[B, L, H]` → context `[B, L, H]` and, with `need_probs`, the attention
    /// probabilities `[B, heads, L, L]` (`output_attentions`). `rel_embeddings`
    /// `[2·att_span, H]` are the encoder's (normalised) relative embeddings.
    pub fn forward(
        &self,
        hidden: &Var,
        context: &AttentionContext<'_>,
        rel_embeddings: Option<&Var>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let heads = self.num_heads;
        let q = split_heads(&self.query_proj.forward(hidden), heads);
        let k = split_heads(&self.key_proj.forward(hidden), heads);
        let v = split_heads(&self.value_proj.forward(hidden), heads);
        let head_dim = q.dims()[3];
        let scale = scaled_size_sqrt(head_dim, self.scale_factor());
        let mut scores = q.matmul(&k.mul_scalar(1.0 / scale).transpose(-1i64, -2i64));
        if self.relative_attention
            && let (Some(rel), Some(indices)) = (rel_embeddings, context.relative)
        {
            let rel = self.pos_dropout.forward(rel);
            if let Some(bias) = self.disentangled_bias(&q, &k, indices, &rel, scale) {
                scores = scores.add(&bias);
            }
        }
        if let Some(masked) = context.masked {
            scores = scores.masked_fill(masked, f64::from(f32::MIN));
        }
        let probs = scores.softmax(-1i64);
        let out = merge_heads(&self.dropout.forward(&probs).matmul(&v));
        (out, need_probs.then_some(probs))
    }

    /// The `c2p` and `p2c` terms, `[B, heads, L, L]`, each divided by `scale`
    /// (transformers' `disentangled_attention_bias`); `None` when `pos_att_type` has neither.
    fn disentangled_bias(
        &self,
        q: &Var,
        k: &Var,
        indices: &RelativeIndices,
        rel: &Var,
        scale: f64,
    ) -> Option<Var> {
        let heads = self.num_heads;
        let rows = &indices.rows;
        let rel = rel.narrow(0usize, rows.start, rows.len()).unsqueeze(0usize);
        let mut score: Option<Var> = None;
        if self.c2p {
            let proj = self.pos_key_proj.as_ref().unwrap_or(&self.key_proj);
            let pos_key = split_heads(&proj.forward(&rel), heads);
            let c2p = q.matmul(&pos_key.transpose(-1i64, -2i64));
            let c2p = c2p.gather(-1i64, &indices.c2p).mul_scalar(1.0 / scale);
            score = Some(c2p);
        }
        if self.p2c {
            let proj = self.pos_query_proj.as_ref().unwrap_or(&self.query_proj);
            let pos_query = split_heads(&proj.forward(&rel), heads);
            let p2c = k.matmul(&pos_query.transpose(-1i64, -2i64));
            let p2c = p2c
                .gather(-1i64, &indices.p2c)
                .transpose(-1i64, -2i64)
                .mul_scalar(1.0 / scale);
            score = Some(match score {
                Some(s) => s.add(&p2c),
                None => p2c,
            });
        }
        score
    }
}

/// `LayerNorm(dropout(dense(x)) + residual)`: transformers' `DebertaV2SelfOutput` and
/// `DebertaV2Output`.
#[derive(Module)]
pub struct DebertaV2ResidualOutput {
    /// Projection back to `H`.
    pub dense: Linear,
    /// LayerNorm with `layer_norm_eps`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `hidden_dropout_prob`.
    pub dropout: Dropout,
}

impl DebertaV2ResidualOutput {
    /// Zero-filled `in_features → H` projection for `config`.
    pub fn new(config: &DebertaV2Config, in_features: usize) -> DebertaV2ResidualOutput {
        DebertaV2ResidualOutput {
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

/// Self-attention then its output block (transformers' `DebertaV2Attention`: `self`,
/// `output`).
#[derive(Module)]
pub struct DebertaV2Attention {
    /// The attention proper; saved as `attention.self.*`.
    #[module(rename = "self")]
    pub self_attention: DisentangledSelfAttention,
    /// Dense, dropout, residual, LayerNorm.
    pub output: DebertaV2ResidualOutput,
}

impl DebertaV2Attention {
    /// Zero-filled block for `config`.
    pub fn new(config: &DebertaV2Config) -> DebertaV2Attention {
        DebertaV2Attention {
            self_attention: DisentangledSelfAttention::new(config),
            output: DebertaV2ResidualOutput::new(config, config.hidden_size),
        }
    }

    /// `hidden` `[B, L, H]` → `[B, L, H]` and, with `need_probs`, the probabilities.
    pub fn forward(
        &self,
        hidden: &Var,
        context: &AttentionContext<'_>,
        rel_embeddings: Option<&Var>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        let (attended, probs) =
            self.self_attention
                .forward(hidden, context, rel_embeddings, need_probs);
        (self.output.forward(&attended, hidden), probs)
    }
}
