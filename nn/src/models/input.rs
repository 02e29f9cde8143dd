//! The inputs of a BERT-family encoder and the outputs of its base model (transformers'
//! `input_ids`, `attention_mask`, `token_type_ids`, `output_hidden_states`,
//! `output_attentions`, and `BaseModelOutputWithPooling`).

use kiln_autograd::Var;
use kiln_tensor::{DType, Tensor};

use crate::models::error::InputError;

/// One batch for an encoder's `forward`, built like the keyword arguments of a transformers
/// model call: `EncoderInput::new(ids).with_attention_mask(mask).with_output_hidden_states(true)`.
#[derive(Debug, Clone)]
pub struct EncoderInput {
    /// Token ids, int64 `[batch, seq_len]`.
    pub input_ids: Tensor,
    /// 1 for real tokens, 0 for padding, `[batch, seq_len]` (any dtype); `None` attends to all.
    pub attention_mask: Option<Tensor>,
    /// Segment ids, int64 `[batch, seq_len]`; `None` is all zeros. BERT only.
    pub token_type_ids: Option<Tensor>,
    /// Return the embeddings output and every layer's output.
    pub output_hidden_states: bool,
    /// Return every layer's attention probabilities.
    pub output_attentions: bool,
}

impl EncoderInput {
    /// Inputs of int64 `input_ids` `[batch, seq_len]`, attending to every token.
    pub fn new(input_ids: Tensor) -> EncoderInput {
        EncoderInput {
            input_ids,
            attention_mask: None,
            token_type_ids: None,
            output_hidden_states: false,
            output_attentions: false,
        }
    }

    /// Sets the padding mask (1 = token, 0 = padding).
    pub fn with_attention_mask(mut self, mask: Tensor) -> EncoderInput {
        self.attention_mask = Some(mask);
        self
    }

    /// Sets the segment ids.
    pub fn with_token_type_ids(mut self, token_type_ids: Tensor) -> EncoderInput {
        self.token_type_ids = Some(token_type_ids);
        self
    }

    /// Asks for every layer's hidden states (`output_hidden_states=True`).
    pub fn with_output_hidden_states(mut self, on: bool) -> EncoderInput {
        self.output_hidden_states = on;
        self
    }

    /// Asks for every layer's attention probabilities (`output_attentions=True`).
    pub fn with_output_attentions(mut self, on: bool) -> EncoderInput {
        self.output_attentions = on;
        self
    }

    /// Batch size and sequence length.
    pub fn batch_and_len(&self) -> (usize, usize) {
        let d = self.input_ids.dims();
        (d[0], d[1])
    }

    /// Keeps the first `max_len` positions of every input (truncation after tokenization).
    pub fn truncate(mut self, max_len: usize) -> EncoderInput {
        let len = self.input_ids.dims().get(1).copied().unwrap_or(0);
        if len > max_len {
            let cut = |t: Tensor| t.narrow(1usize, 0, max_len).contiguous();
            self.attention_mask = self.attention_mask.map(cut);
            self.token_type_ids = self.token_type_ids.map(cut);
            self.input_ids = self.input_ids.narrow(1usize, 0, max_len).contiguous();
        }
        self
    }

    /// Checks the inputs against an encoder's tables: int64 2-D ids below `vocab_size`,
    /// masks and token types of the ids' shape, token types below `type_vocab_size`
    /// (`None` when the model has no token types), and between 1 and `max_positions` tokens.
    pub fn validate(
        &self,
        vocab_size: usize,
        type_vocab_size: Option<usize>,
        max_positions: usize,
    ) -> Result<(), InputError> {
        check_ids("input_ids", &self.input_ids, None, vocab_size)?;
        let expected = self.input_ids.dims();
        if let Some(mask) = &self.attention_mask
            && mask.dims() != expected
        {
            return Err(InputError::ShapeMismatch {
                name: "attention_mask",
                expected: expected.to_vec(),
                found: mask.dims().to_vec(),
            });
        }
        if let Some(types) = &self.token_type_ids {
            check_ids(
                "token_type_ids",
                types,
                Some(expected),
                type_vocab_size.unwrap_or(0),
            )?;
        }
        let seq_len = expected[1];
        if seq_len == 0 {
            return Err(InputError::EmptySequence);
        }
        if seq_len > max_positions {
            return Err(InputError::TooLong {
                seq_len,
                max: max_positions,
            });
        }
        Ok(())
    }
}

/// Checks one int64 `[batch, seq_len]` id tensor against its table of `limit` rows.
fn check_ids(
    name: &'static str,
    ids: &Tensor,
    shape: Option<&[usize]>,
    limit: usize,
) -> Result<(), InputError> {
    if ids.dtype() != DType::I64 || ids.dim() != 2 {
        return Err(InputError::BadIds {
            name,
            found: format!("{:?} {}", ids.dtype(), ids.shape()),
        });
    }
    if let Some(shape) = shape
        && ids.dims() != shape
    {
        return Err(InputError::ShapeMismatch {
            name,
            expected: shape.to_vec(),
            found: ids.dims().to_vec(),
        });
    }
    if ids.numel() == 0 {
        return Ok(());
    }
    let (lo, hi) = (ids.min().item::<i64>(), ids.max().item::<i64>());
    for id in [lo, hi] {
        if id < 0 || id as u64 >= limit as u64 {
            return Err(InputError::IdOutOfRange { name, id, limit });
        }
    }
    Ok(())
}

/// What a BERT-family base model returns (transformers' `BaseModelOutputWithPooling`).
pub struct BaseModelOutput {
    /// The last layer's output `[B, L, H]`.
    pub last_hidden_state: Var,
    /// `tanh(dense(h[:, 0]))` `[B, H]` for models with a pooler (BERT); `None` otherwise.
    pub pooler_output: Option<Var>,
    /// With `output_hidden_states`: the embeddings output then each layer's output,
    /// `num_layers + 1` tensors `[B, L, H]`.
    pub hidden_states: Option<Vec<Var>>,
    /// With `output_attentions`: each layer's attention probabilities `[B, heads, L, L]`.
    pub attentions: Option<Vec<Var>>,
}
