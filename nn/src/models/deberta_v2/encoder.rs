//! `DebertaV2Encoder`: the stack of `DebertaV2Layer`s sharing one relative-embedding table
//! (normalised by `LayerNorm` when `norm_rel_ebd` says so), with the optional `ConvLayer` after
//! the first layer (transformers' `DebertaV2Encoder`, parameters under `encoder.*`).

use std::sync::Arc;

use kiln_autograd::{Var, checkpoint, is_grad_enabled};
use kiln_tensor::Tensor;

use crate::models::init::{embedding, layer_norm};
use crate::models::layer_stack::{CheckpointFlag, StackOutput};
use crate::{Embedding, Forward, LayerNorm, Module};

use super::attention::{AttentionContext, RelativeIndices};
use super::conv::ConvLayer;
use super::relative_position::build_relative_position;
use super::{DebertaV2Config, DebertaV2Layer};

/// `num_hidden_layers` layers, the relative embeddings `rel_embeddings`
/// `[2·att_span, H]` and their `LayerNorm`, and `conv`; optionally gradient-checkpointed.
#[derive(Module)]
pub struct DebertaV2Encoder {
    /// The layers, saved as `layer.0`, `layer.1`, ….
    pub layer: Vec<Arc<DebertaV2Layer>>,
    /// The relative-position embeddings (with `relative_attention`).
    pub rel_embeddings: Option<Embedding>,
    /// LayerNorm of the relative embeddings (`norm_rel_ebd` `"layer_norm"`).
    #[module(rename = "LayerNorm")]
    pub layer_norm: Option<LayerNorm>,
    /// The convolution after the first layer (`conv_kernel_size > 0`).
    pub conv: Option<ConvLayer>,
    #[module(skip)]
    pub(crate) gradient_checkpointing: CheckpointFlag,
    #[module(skip)]
    buckets: Option<(usize, usize)>,
    #[module(skip)]
    att_span: usize,
    #[module(skip)]
    num_heads: usize,
}

impl DebertaV2Encoder {
    /// Zero-filled layers for `config`.
    pub fn new(config: &DebertaV2Config) -> DebertaV2Encoder {
        let h = config.hidden_size;
        let relative = config.relative_attention;
        DebertaV2Encoder {
            layer: (0..config.num_hidden_layers)
                .map(|_| Arc::new(DebertaV2Layer::new(config)))
                .collect(),
            rel_embeddings: relative.then(|| embedding(2 * config.att_span(), h)),
            layer_norm: config
                .norm_rel_embeddings()
                .then(|| layer_norm(h, config.layer_norm_eps)),
            conv: (config.conv_kernel_size > 0).then(|| ConvLayer::new(config)),
            gradient_checkpointing: CheckpointFlag::default(),
            buckets: config
                .buckets()
                .map(|b| (b, config.effective_max_relative_positions())),
            att_span: config.att_span(),
            num_heads: config.num_attention_heads,
        }
    }

    /// The relative embeddings the layers read, normalised when `norm_rel_ebd` asks
    /// (transformers' `get_rel_embedding`); `None` without relative attention.
    pub fn rel_embedding(&self) -> Option<Var> {
        let rel = self.rel_embeddings.as_ref()?.weight.clone();
        Some(match &self.layer_norm {
            Some(norm) => norm.forward(&rel),
            None => rel,
        })
    }

    /// The bucketed relative positions of a sequence of `len` tokens, int64 `[len, len]`
    /// (transformers' `get_rel_pos`).
    pub fn relative_positions(&self, len: usize) -> Tensor {
        build_relative_position(len, len, self.buckets)
    }

    /// Runs every layer over the embeddings `hidden` `[B, L, H]`. `input_mask` is the float
    /// padding mask `[B, L]` and `masked` the bool `[B, 1, L, L]` of pairs that may not attend
    /// (both `None` without padding). With checkpointing on (while gradients are recorded and
    /// no attentions are asked for) each layer keeps only its inputs and is recomputed during
    /// backward, with the same dropout masks.
    pub fn forward(
        &self,
        hidden: Var,
        input_mask: Option<&Tensor>,
        masked: Option<&Tensor>,
        output_hidden_states: bool,
        output_attentions: bool,
    ) -> StackOutput {
        let d = hidden.dims();
        let (batch, len) = (d[0], d[1]);
        let rel_embeddings = self.rel_embedding();
        let indices = rel_embeddings.as_ref().map(|_| {
            RelativeIndices::new(
                &self.relative_positions(len),
                self.att_span,
                batch,
                self.num_heads,
                &hidden.value().device(),
            )
        });
        let checkpointing =
            self.gradient_checkpointing.get() && !output_attentions && is_grad_enabled();
        let mut hidden_states = output_hidden_states.then(Vec::new);
        let mut attentions = output_attentions.then(Vec::new);
        if let Some(states) = &mut hidden_states {
            states.push(hidden.clone());
        }
        let embedded = hidden.clone();
        let mut hidden = hidden;
        let indices = indices.map(Arc::new);
        for (i, layer) in self.layer.iter().enumerate() {
            let mut out = if checkpointing {
                let layer = Arc::clone(layer);
                let masked = masked.cloned();
                let indices = indices.clone();
                let mut inputs = vec![hidden];
                inputs.extend(rel_embeddings.iter().cloned());
                checkpoint(
                    move |inputs: &[Var]| {
                        let context = AttentionContext {
                            masked: masked.as_ref(),
                            relative: indices.as_deref(),
                        };
                        layer.forward(&inputs[0], &context, inputs.get(1), false).0
                    },
                    &inputs,
                )
            } else {
                let context = AttentionContext {
                    masked,
                    relative: indices.as_deref(),
                };
                let (out, probs) = layer.forward(
                    &hidden,
                    &context,
                    rel_embeddings.as_ref(),
                    output_attentions,
                );
                if let Some(all) = &mut attentions {
                    all.push(probs.expect("a layer returns its probabilities when asked"));
                }
                out
            };
            if i == 0
                && let Some(conv) = &self.conv
            {
                out = conv.forward(&embedded, &out, input_mask);
            }
            if let Some(states) = &mut hidden_states {
                states.push(out.clone());
            }
            hidden = out;
        }
        StackOutput {
            last: hidden,
            hidden_states,
            attentions,
        }
    }
}
