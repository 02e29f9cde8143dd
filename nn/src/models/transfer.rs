//! Transfer learning with a pretrained encoder, as the seeds do it: features (the `[CLS]`
//! vector, mask-aware mean pooling, the last layers concatenated), partial or full freezing,
//! and re-initialising the top layers. Learning rates per part and no decay on biases and
//! LayerNorm weights come from `kiln_optim::param_groups_from_named`.
//!
//! ```
//! use kiln_nn::models::transfer::{Encoder, freeze_bottom};
//! use kiln_nn::models::{BertConfig, BertModel};
//! use kiln_nn::Module;
//!
//! let bert = BertModel::new(&BertConfig::new(100, 16, 4, 2, 32));
//! freeze_bottom(&bert, 2);                  // embeddings and layers 0, 1 frozen
//! assert!(!bert.named_parameters().iter().any(|(n, p)| n.starts_with("encoder.layer.0.") && p.requires_grad()));
//! assert!(bert.encoder.layer[2].attention.self_attention.query.weight.requires_grad());
//! ```

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::Module;
use crate::functional::{cls_pooling, mean_pooling};
use crate::models::error::InputError;
use crate::models::input::{BaseModelOutput, EncoderInput};
use crate::models::{BertModel, DebertaV2Model, DistilBertModel};

/// A BERT-family base model seen through the names transfer learning needs.
pub trait Encoder: Module {
    /// Dotted prefix of the embeddings (`"embeddings"`).
    fn embeddings_prefix(&self) -> &'static str;
    /// Dotted prefix of the layer list (`"encoder.layer"` for BERT, `"transformer.layer"`).
    fn layers_prefix(&self) -> &'static str;
    /// Number of encoder layers.
    fn num_layers(&self) -> usize;
    /// Runs the encoder.
    fn encode(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError>;
}

impl Encoder for BertModel {
    fn embeddings_prefix(&self) -> &'static str {
        "embeddings"
    }
    fn layers_prefix(&self) -> &'static str {
        "encoder.layer"
    }
    fn num_layers(&self) -> usize {
        self.encoder.layer.len()
    }
    fn encode(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.try_forward(input)
    }
}

impl Encoder for DistilBertModel {
    fn embeddings_prefix(&self) -> &'static str {
        "embeddings"
    }
    fn layers_prefix(&self) -> &'static str {
        "transformer.layer"
    }
    fn num_layers(&self) -> usize {
        self.transformer.layer.len()
    }
    fn encode(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.try_forward(input)
    }
}

impl Encoder for DebertaV2Model {
    fn embeddings_prefix(&self) -> &'static str {
        "embeddings"
    }
    fn layers_prefix(&self) -> &'static str {
        "encoder.layer"
    }
    fn num_layers(&self) -> usize {
        self.encoder.layer.len()
    }
    fn encode(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.try_forward(input)
    }
}

/// Freezes the embeddings and the first `k` layers (`k` is clamped to the layer count);
/// returns how many parameter tensors were frozen.
pub fn freeze_bottom(encoder: &dyn Encoder, k: usize) -> usize {
    let mut frozen = encoder.freeze(encoder.embeddings_prefix());
    for i in 0..k.min(encoder.num_layers()) {
        frozen += encoder.freeze(&format!("{}.{i}", encoder.layers_prefix()));
    }
    frozen
}

/// Freezes every parameter of the encoder (feature extraction: train only a new head).
pub fn freeze_all(encoder: &dyn Encoder) -> usize {
    encoder.freeze("")
}

/// The `[CLS]` vector of the last layer, `[B, H]`.
pub fn cls_features(output: &BaseModelOutput) -> Var {
    cls_pooling(&output.last_hidden_state)
}

/// Mask-aware mean of the last layer's token states, `[B, H]` (sentence-transformers' mean
/// pooling, the seeds' `MeanPooling`).
pub fn mean_pooled_features(output: &BaseModelOutput, attention_mask: &Tensor) -> Var {
    mean_pooling(&output.last_hidden_state, attention_mask)
}

/// `F.normalize(x, p=2, dim=1)`: each row divided by its L2 norm (at least 1e-12), as
/// sentence-transformers' `Normalize` module.
pub fn l2_normalize(x: &Var) -> Var {
    let norm = x
        .pow_scalar(2.0)
        .sum_dim(&[-1], true)
        .sqrt()
        .clamp(Some(1e-12), None);
    x.div(&norm)
}

/// The last `n` hidden states concatenated along the features,
/// `torch.cat([hidden_states[-i] for i in 1..=n], dim=-1)`: `[B, L, n·H]`. Panics unless the
/// output was computed with `output_hidden_states` and has at least `n` of them.
pub fn concat_last_hidden_states(output: &BaseModelOutput, n: usize) -> Var {
    let states = output
        .hidden_states
        .as_ref()
        .expect("concat_last_hidden_states: run the encoder with output_hidden_states");
    assert!(
        n >= 1 && n <= states.len(),
        "concat_last_hidden_states: asked for {n} of {} hidden states",
        states.len()
    );
    let last: Vec<Var> = states.iter().rev().take(n).cloned().collect();
    Var::cat(&last, -1i64)
}
