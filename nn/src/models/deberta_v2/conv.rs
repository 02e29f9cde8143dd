//! `ConvLayer`: the convolution DeBERTa-v2 (xlarge, xxlarge) adds to the first layer's output
//! (transformers' `modeling_deberta_v2.ConvLayer`, built when `conv_kernel_size > 0`).

use kiln_autograd::Var;
use kiln_tensor::{Conv1dOptions, Tensor};

use crate::models::activation::HiddenAct;
use crate::models::init::layer_norm;
use crate::{Conv1d, Dropout, Forward, LayerNorm, Module};

use super::DebertaV2Config;

/// `mask · LayerNorm(residual + act(dropout(conv(x))))` with padding positions of the
/// convolution zeroed; parameters `conv` (`[H, H/groups, k]`, padding `(k − 1)/2`) and
/// `LayerNorm`.
#[derive(Module)]
pub struct ConvLayer {
    /// The 1-D convolution over the sequence.
    pub conv: Conv1d,
    /// LayerNorm with `layer_norm_eps`.
    #[module(rename = "LayerNorm")]
    pub layer_norm: LayerNorm,
    /// `hidden_dropout_prob`.
    pub dropout: Dropout,
    #[module(skip)]
    activation: HiddenAct,
}

impl ConvLayer {
    /// A convolution of `conv_kernel_size` and `conv_groups` for `config` (weights from a
    /// checkpoint or the model's initialisation).
    pub fn new(config: &DebertaV2Config) -> ConvLayer {
        let h = config.hidden_size;
        let k = config.conv_kernel_size;
        let options = Conv1dOptions::new()
            .padding((k - 1) / 2)
            .groups(config.conv_groups);
        ConvLayer {
            conv: Conv1d::new(h, h, k, options, true),
            layer_norm: layer_norm(h, config.layer_norm_eps),
            dropout: Dropout::new(config.hidden_dropout_prob),
            activation: config.conv_act,
        }
    }

    /// `hidden` (the first layer's input) and `residual` (its output), `[B, L, H]`, with the
    /// padding mask `input_mask` `[B, L]` (float, 1 = token; `None` for no padding).
    pub fn forward(&self, hidden: &Var, residual: &Var, input_mask: Option<&Tensor>) -> Var {
        let mut out = self
            .conv
            .forward(&hidden.permute(&[0, 2, 1]))
            .permute(&[0, 2, 1]);
        let mask = input_mask.map(|m| {
            let d = m.dims();
            m.reshape_to(vec![d[0], d[1], 1])
        });
        if let Some(m) = &mask {
            out = out.masked_fill(&m.eq_scalar(0.0), 0.0);
        }
        let out = self.activation.forward(&self.dropout.forward(&out));
        let normed = self.layer_norm.forward(&residual.add(&out));
        match mask {
            Some(m) => normed.mul(&Var::constant(m)),
            None => normed,
        }
    }
}
