//! `BertEncoder`: the stack of `BertLayer`s (transformers' `BertEncoder`, parameters under
//! `encoder.layer.<i>`).

use std::sync::Arc;

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::Module;
use crate::models::layer_stack::{CheckpointFlag, EncoderLayer, StackOutput, run_layers};

use super::{BertConfig, BertLayer};

impl EncoderLayer for BertLayer {
    fn forward_layer(
        &self,
        hidden: &Var,
        additive_mask: Option<&Tensor>,
        need_probs: bool,
    ) -> (Var, Option<Var>) {
        self.forward(hidden, additive_mask, need_probs)
    }
}

/// `num_hidden_layers` encoder layers, optionally gradient-checkpointed.
#[derive(Module)]
pub struct BertEncoder {
    /// The layers, saved as `layer.0`, `layer.1`, ….
    pub layer: Vec<Arc<BertLayer>>,
    #[module(skip)]
    pub(crate) gradient_checkpointing: CheckpointFlag,
}

impl BertEncoder {
    /// Zero-filled layers for `config`.
    pub fn new(config: &BertConfig) -> BertEncoder {
        BertEncoder {
            layer: (0..config.num_hidden_layers)
                .map(|_| Arc::new(BertLayer::new(config)))
                .collect(),
            gradient_checkpointing: CheckpointFlag::default(),
        }
    }

    /// Runs every layer; see [`run_layers`].
    pub fn forward(
        &self,
        hidden: Var,
        additive_mask: Option<&Tensor>,
        output_hidden_states: bool,
        output_attentions: bool,
    ) -> StackOutput {
        run_layers(
            &self.layer,
            hidden,
            additive_mask,
            output_hidden_states,
            output_attentions,
            self.gradient_checkpointing.get(),
        )
    }
}
