//! `DebertaV2Embeddings`: word embeddings, optional absolute positions and token types, the
//! optional `embed_proj`, LayerNorm, the padding-mask multiply and dropout (transformers'
//! `modeling_deberta_v2.DebertaV2Embeddings`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::init::{embedding, layer_norm};
use crate::{Dropout, Embedding, Forward, LayerNorm, Linear, Module};

use super::DebertaV2Config;

/// The input embeddings of DeBERTa. Parameter names are transformers': `word_embeddings`,
/// `position_embeddings` (only with `position_biased_input`), `token_type_embeddings` (only
/// when `type_vocab_size > 0`), `embed_proj` (only when `embedding_size ≠ hidden_size`),
/// `LayerNorm`.
#[derive(Module)]
pub struct DebertaV2Embeddings {
    /// `[vocab_size, embedding_size]`; the `pad_token_id` row gets no gradient.
    pub word_embeddings: Embedding,
    /// `[max_position_embeddings, embedding_size]`, absolute learned positions.
    pub position_embeddings: Option<Embedding>,
    /// `[type_vocab_size, embedding_size]`.
    pub token_type_embeddings: Option<Embedding>,
    /// `embedding_size → hidden_size` without bias.
    pub embed_proj: Option<Linear>,
    /// LayerNorm with `layer_norm_eps`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `hidden_dropout_prob`.
    pub dropout: Dropout,
}

impl DebertaV2Embeddings {
    /// Zero-filled embeddings for `config` (weights come from a checkpoint or
    /// transformers-style initialisation).
    pub fn new(config: &DebertaV2Config) -> DebertaV2Embeddings {
        let (e, h) = (config.embedding_width(), config.hidden_size);
        let mut words = embedding(config.vocab_size, e);
        if let Some(pad) = config.pad_token_id {
            words = words.with_padding_idx(pad);
        }
        DebertaV2Embeddings {
            word_embeddings: words,
            position_embeddings: config
                .position_biased_input
                .then(|| embedding(config.max_position_embeddings, e)),
            token_type_embeddings: (config.type_vocab_size > 0)
                .then(|| embedding(config.type_vocab_size, e)),
            embed_proj: (e != h).then(|| Linear::from_weights(Tensor::zeros([h, e]), None)),
            layer_norm: layer_norm(h, config.layer_norm_eps),
            dropout: Dropout::new(config.hidden_dropout_prob),
        }
    }

    /// `input_ids` `[B, L]` (optional `token_type_ids` `[B, L]`, ignored without a token-type
    /// table as transformers does) → `[B, L, H]`. Positions are `0..L`. The normalised
    /// embeddings are multiplied by `mask` `[B, L]` (float, 1 = token) when given, then dropped
    /// out.
    pub fn forward(
        &self,
        input_ids: &Tensor,
        token_type_ids: Option<&Tensor>,
        mask: Option<&Tensor>,
    ) -> Var {
        let seq_len = input_ids.dims()[1];
        let mut summed = self.word_embeddings.forward(input_ids);
        if let Some(positions) = &self.position_embeddings {
            summed = summed.add(&positions.weight.narrow(0usize, 0, seq_len));
        }
        if let Some(types) = &self.token_type_embeddings {
            let t = match token_type_ids {
                Some(ids) => types.forward(ids),
                None => types.weight.narrow(0usize, 0, 1),
            };
            summed = summed.add(&t);
        }
        if let Some(proj) = &self.embed_proj {
            summed = proj.forward(&summed);
        }
        let mut normed = self.layer_norm.forward(&summed);
        if let Some(mask) = mask {
            let d = mask.dims();
            let m = mask.reshape_to(vec![d[0], d[1], 1]);
            normed = normed.mul(&Var::constant(m));
        }
        self.dropout.forward(&normed)
    }
}
