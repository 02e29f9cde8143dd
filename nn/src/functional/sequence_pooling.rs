//! Sentence-embedding poolings over token states `[B, L, H]` with an attention mask `[B, L]`,
//! as sentence-transformers' `Pooling` module computes them.

use kiln_autograd::Var;
use kiln_tensor::Tensor;

/// The mask as `[B, L, H]` in the hidden states' dtype
/// (`attention_mask.unsqueeze(-1).expand(last_hidden_state.size()).float()`).
fn expanded_mask(hidden: &Var, attention_mask: &Tensor, op: &str) -> Tensor {
    let h = hidden.value();
    assert!(
        h.dim() == 3 && attention_mask.dims() == &h.dims()[..2],
        "{op}: expected hidden states [B, L, H] and an attention mask [B, L], got {} and {}",
        h.shape(),
        attention_mask.shape()
    );
    attention_mask
        .to_dtype(h.dtype())
        .unsqueeze(2usize)
        .broadcast_to(h.shape())
}

/// Mask-aware mean of the token states (sentence-transformers' `pooling_mode_mean_tokens`, the
/// seeds' `MeanPooling`): `Σ_l h·m / clamp(Σ_l m, min = 1e-9)`, giving `[B, H]`. A row whose
/// mask is all zeros gives zeros. Gradients flow to `hidden`.
pub fn mean_pooling(hidden: &Var, attention_mask: &Tensor) -> Var {
    let mask = expanded_mask(hidden, attention_mask, "mean_pooling");
    let counts = mask.sum_dim(&[1], false).clamp(Some(1e-9), None);
    hidden
        .mul(&Var::constant(mask))
        .sum_dim(&[1], false)
        .div(&Var::constant(counts))
}

/// Mask-aware maximum over tokens (sentence-transformers' `pooling_mode_max_tokens`): masked
/// positions are set to `-1e9` before the maximum over the sequence, giving `[B, H]`; the
/// gradient flows to each maximum.
pub fn max_pooling(hidden: &Var, attention_mask: &Tensor) -> Var {
    let mask = expanded_mask(hidden, attention_mask, "max_pooling");
    hidden
        .masked_fill(&mask.eq_scalar(0.0), -1e9)
        .max_dim(1usize, false)
        .0
}

/// The first token's state of each sequence (sentence-transformers' `pooling_mode_cls_token`):
/// `hidden[:, 0]`, giving `[B, H]`.
pub fn cls_pooling(hidden: &Var) -> Var {
    let d = hidden.value().dim();
    assert!(
        d == 3,
        "cls_pooling: expected hidden states [B, L, H], got shape {}",
        hidden.value().shape()
    );
    hidden.select(1usize, 0)
}
