//! DistilBERT's `Embeddings`: word + position embeddings, LayerNorm, dropout (no token types).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::init::{embedding, layer_norm};
use crate::{Dropout, Embedding, Forward, LayerNorm, Module};

use super::config::{DISTILBERT_LAYER_NORM_EPS, DistilBertConfig};

/// Word and position embeddings summed and normalised (transformers'
/// `modeling_distilbert.Embeddings`).
#[derive(Module)]
pub struct DistilBertEmbeddings {
    /// `[vocab_size, dim]`; the `pad_token_id` row gets no gradient.
    pub word_embeddings: Embedding,
    /// `[max_position_embeddings, dim]`.
    pub position_embeddings: Embedding,
    /// LayerNorm, eps 1e-12.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `dropout`.
    pub dropout: Dropout,
}

impl DistilBertEmbeddings {
    /// Zero-filled tables for `config`.
    pub fn new(config: &DistilBertConfig) -> DistilBertEmbeddings {
        DistilBertEmbeddings {
            word_embeddings: embedding(config.vocab_size, config.dim)
                .with_padding_idx(config.pad_token_id),
            position_embeddings: embedding(config.max_position_embeddings, config.dim),
            layer_norm: layer_norm(config.dim, DISTILBERT_LAYER_NORM_EPS),
            dropout: Dropout::new(config.dropout),
        }
    }

    /// `input_ids` `[B, L]` → `[B, L, dim]`, positions `0..L`.
    pub fn forward(&self, input_ids: &Tensor) -> Var {
        let seq_len = input_ids.dims()[1];
        let positions = self.position_embeddings.weight.narrow(0usize, 0, seq_len);
        let summed = self.word_embeddings.forward(input_ids).add(&positions);
        self.dropout.forward(&self.layer_norm.forward(&summed))
    }
}

/// transformers' `create_sinusoidal_embeddings`: row `p`, column `2i` is
/// `sin(p / 10000^(2i/dim))` and column `2i + 1` its cosine, `[rows, dim]` f32.
pub fn sinusoidal_table(rows: usize, dim: usize) -> Tensor {
    let mut data = vec![0f32; rows * dim];
    for p in 0..rows {
        for j in 0..dim {
            let angle = p as f64 / 10000f64.powf((2 * (j / 2)) as f64 / dim as f64);
            data[p * dim + j] = if j % 2 == 0 { angle.sin() } else { angle.cos() } as f32;
        }
    }
    Tensor::from_vec(data, [rows, dim])
}
