//! `BertEmbeddings`: word + position + token-type embeddings, LayerNorm, dropout
//! (transformers' `modeling_bert.BertEmbeddings`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::models::init::{embedding, layer_norm};
use crate::{Dropout, Embedding, Forward, LayerNorm, Module};

use super::BertConfig;

/// Sums the three embeddings of each token and normalises them. Parameter names are
/// transformers': `word_embeddings`, `position_embeddings`, `token_type_embeddings`,
/// `LayerNorm`.
#[derive(Module)]
pub struct BertEmbeddings {
    /// `[vocab_size, H]`; the `pad_token_id` row gets no gradient.
    pub word_embeddings: Embedding,
    /// `[max_position_embeddings, H]`, absolute learned positions.
    pub position_embeddings: Embedding,
    /// `[type_vocab_size, H]`.
    pub token_type_embeddings: Embedding,
    /// LayerNorm with `layer_norm_eps`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `hidden_dropout_prob`.
    pub dropout: Dropout,
}

impl BertEmbeddings {
    /// Zero-filled embeddings for `config` (weights come from a checkpoint or
    /// [`crate::models::init::init_bert_weights`]).
    pub fn new(config: &BertConfig) -> BertEmbeddings {
        let h = config.hidden_size;
        BertEmbeddings {
            word_embeddings: embedding(config.vocab_size, h).with_padding_idx(config.pad_token_id),
            position_embeddings: embedding(config.max_position_embeddings, h),
            token_type_embeddings: embedding(config.type_vocab_size, h),
            layer_norm: layer_norm(h, config.layer_norm_eps),
            dropout: Dropout::new(config.hidden_dropout_prob),
        }
    }

    /// `input_ids` `[B, L]` (and optional `token_type_ids` `[B, L]`) → `[B, L, H]`. Positions
    /// are `0..L`; without token types every token is of type 0, which is added as one
    /// broadcast row instead of a lookup per token.
    pub fn forward(&self, input_ids: &Tensor, token_type_ids: Option<&Tensor>) -> Var {
        let seq_len = input_ids.dims()[1];
        let positions = self.position_embeddings.weight.narrow(0usize, 0, seq_len);
        self.sum_and_normalise(input_ids, token_type_ids, &positions)
    }

    /// [`BertEmbeddings::forward`] with explicit int64 `position_ids` `[B, L]`
    /// (transformers' `position_ids` argument; RoBERTa's come from the padding).
    pub fn forward_with_position_ids(
        &self,
        input_ids: &Tensor,
        token_type_ids: Option<&Tensor>,
        position_ids: &Tensor,
    ) -> Var {
        let positions = self.position_embeddings.forward(position_ids);
        self.sum_and_normalise(input_ids, token_type_ids, &positions)
    }

    /// `dropout(LayerNorm(words + types + positions))`.
    fn sum_and_normalise(
        &self,
        input_ids: &Tensor,
        token_type_ids: Option<&Tensor>,
        positions: &Var,
    ) -> Var {
        let words = self.word_embeddings.forward(input_ids);
        let types = match token_type_ids {
            Some(ids) => self.token_type_embeddings.forward(ids),
            None => self.token_type_embeddings.weight.narrow(0usize, 0, 1),
        };
        let summed = words.add(&types).add(positions);
        self.dropout.forward(&self.layer_norm.forward(&summed))
    }
}
