//! Building BERT-family layers without spending time on an initialisation a checkpoint
//! overwrites, and transformers' `_init_weights` for the ones it does not.

use kiln_autograd::{Var, no_grad};
use kiln_tensor::Tensor;

use crate::init::{normal_, ones_, zeros_};
use crate::{Embedding, LayerNorm, Linear};

/// A zero-filled `Linear(in_features → out_features)` with bias.
pub(crate) fn linear(in_features: usize, out_features: usize) -> Linear {
    Linear::from_weights(
        Tensor::zeros([out_features, in_features]),
        Some(Tensor::zeros([out_features])),
    )
}

/// A zero-filled `[rows, dim]` embedding table.
pub(crate) fn embedding(rows: usize, dim: usize) -> Embedding {
    Embedding::from_weight(Tensor::zeros([rows, dim]))
}

/// `LayerNorm(width, eps)` with weight ones and bias zeros.
pub(crate) fn layer_norm(width: usize, eps: f64) -> LayerNorm {
    LayerNorm::with_options(&[width], eps, true, true)
}

/// transformers' `BertPreTrainedModel._init_weights` over named parameters (as
/// `named_parameters()` gives them): matrices (Linear weights, embedding tables) from
/// N(0, `std`²), biases zero, LayerNorm weights one. Callers zero embedding padding rows
/// afterwards ([`Embedding::zero_padding_row`]).
pub fn init_bert_weights(params: impl IntoIterator<Item = (String, Var)>, std: f64) {
    let _guard = no_grad();
    for (name, param) in params {
        if param.value().dim() >= 2 {
            normal_(&param, 0.0, std);
        } else if name.ends_with("bias") {
            zeros_(&param);
        } else {
            ones_(&param);
        }
    }
}
