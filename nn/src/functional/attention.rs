//! Scaled dot-product attention with an additive padding mask, as Hugging Face BERT's eager
//! attention computes it.

use kiln_autograd::{Var, is_grad_enabled};
use kiln_tensor::{DType, Tensor};

/// Turns a `[B, L]` attention mask (1 = attend, 0 = padding; any dtype) into the additive mask
/// `[B, 1, 1, L]` of `dtype` that BERT adds to its attention scores: `(1 − m) · finfo(dtype).min`
/// (transformers' `get_extended_attention_mask`). A row that is all padding still gets finite
/// scores, so its softmax is uniform instead of NaN.
pub fn extended_attention_mask(attention_mask: &Tensor, dtype: DType) -> Tensor {
    assert!(
        attention_mask.dim() == 2,
        "extended_attention_mask: expected an attention mask [B, L], got shape {}",
        attention_mask.shape()
    );
    let min = match dtype {
        DType::F16 => -65504.0,
        DType::BF16 => -3.389_531_389_251_535_5e38,
        DType::F64 => f64::MIN,
        _ => f64::from(f32::MIN),
    };
    let (b, l) = (attention_mask.dims()[0], attention_mask.dims()[1]);
    let padding = attention_mask.eq_scalar(0.0).reshape_to(vec![b, 1, 1, l]);
    Tensor::zeros_with(padding.shape(), dtype, &attention_mask.device()).masked_fill(&padding, min)
}

/// `softmax(q·kᵀ/√d + mask) · v` over the last two dims (`F.scaled_dot_product_attention` with
/// a float `attn_mask`), returning the output `[…, Lq, d]` and, when `need_probs`, the
/// attention probabilities `[…, Lq, Lk]` before dropout (what HF returns as `attentions`).
/// `query` is scaled before the product, which costs `Lq·d` instead of `Lq·Lk`
/// multiplications. `additive_mask` broadcasts against the scores.
///
/// When nothing needs the probabilities (no `need_probs`, no gradient recorded through
/// `query`, `key` or `value`, no active dropout) it runs [`Tensor::scaled_dot_product_attention`],
/// which never stores the whole score tensor: the inference path.
pub fn scaled_dot_product_attention(
    query: &Var,
    key: &Var,
    value: &Var,
    additive_mask: Option<&Tensor>,
    dropout_p: f64,
    training: bool,
    need_probs: bool,
) -> (Var, Option<Var>) {
    let head_dim = *query
        .value()
        .dims()
        .last()
        .expect("scaled_dot_product_attention: query must have at least one dim");
    let scale = 1.0 / (head_dim as f64).sqrt();
    let dropout_active = training && dropout_p > 0.0;
    let records = is_grad_enabled() && [query, key, value].iter().any(|v| v.requires_grad());
    if !need_probs && !dropout_active && !records {
        let context = query.value().scaled_dot_product_attention(
            &key.value(),
            &value.value(),
            additive_mask,
            Some(scale),
        );
        return (Var::constant(context), None);
    }
    let mut scores = query.mul_scalar(scale).matmul(&key.transpose(-1i64, -2i64));
    if let Some(mask) = additive_mask {
        scores = scores.add(&Var::constant(mask.clone()));
    }
    let probs = scores.softmax(-1i64);
    let dropped = probs.dropout(dropout_p, training);
    (dropped.matmul(value), Some(probs))
}
