//! `DebertaV2Model`: embeddings and the disentangled-attention encoder (transformers'
//! `modeling_deberta_v2.DebertaV2Model`, which also covers DeBERTa-v3), loadable from a
//! Hugging Face folder of `model_type` `"deberta-v2"`.

use std::path::Path;

use kiln_tensor::{DType, Tensor};

use crate::Module;
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::init_bert_weights;
use crate::models::input::{BaseModelOutput, EncoderInput};
use crate::models::pretrained::{self, LoadReport, PretrainedModel};

use super::{DebertaV2Config, DebertaV2Embeddings, DebertaV2Encoder};

/// A DeBERTa-v2/v3 encoder, parameter names as transformers' so checkpoints load unchanged:
/// `embeddings.*`, `encoder.layer.<i>.*`, `encoder.rel_embeddings.weight`,
/// `encoder.LayerNorm.*`. It has no pooler: `pooler_output` is `None`.
///
/// ```no_run
/// use kiln_nn::Module;
/// use kiln_nn::models::{DebertaV2Model, EncoderInput};
/// use kiln_tensor::tensor;
///
/// let model = DebertaV2Model::from_pretrained("deberta-v3-xsmall")?;
/// model.eval();
/// let ids = tensor![[1i64, 279, 2453, 2]];
/// let out = model.forward(&EncoderInput::new(ids).with_output_hidden_states(true));
/// assert_eq!(out.last_hidden_state.dims(), vec![1, 4, 384]);
/// # Ok::<(), kiln_nn::models::PretrainedError>(())
/// ```
#[derive(Module)]
pub struct DebertaV2Model {
    /// Word (and optional position and token-type) embeddings.
    pub embeddings: DebertaV2Embeddings,
    /// The encoder layers and relative embeddings.
    pub encoder: DebertaV2Encoder,
    #[module(skip)]
    config: DebertaV2Config,
}

/// The float padding mask `[B, L]` and the bool `[B, 1, L, L]` of query/key pairs that may
/// not attend (transformers' `get_attention_mask`: `m[:, None, None, :] · m[:, None, :, None]`,
/// false where it is zero); both `None` when every token is real.
pub(crate) fn padding_masks(attention_mask: Option<&Tensor>) -> (Option<Tensor>, Option<Tensor>) {
    let Some(mask) = attention_mask else {
        return (None, None);
    };
    let m = mask.to_dtype(DType::F32).contiguous();
    if m.as_slice::<f32>()
        .is_some_and(|v| v.iter().all(|&x| x == 1.0))
    {
        return (None, None);
    }
    let (b, l) = (m.dims()[0], m.dims()[1]);
    let keys = m.reshape_to(vec![b, 1, 1, l]);
    let queries = m.reshape_to(vec![b, 1, l, 1]);
    let masked = keys.mul(&queries).eq_scalar(0.0);
    (Some(m), Some(masked))
}

impl DebertaV2Model {
    /// A randomly initialised model (`DebertaV2Model(config)`), weights drawn as transformers'
    /// `_init_weights` does from the global generator.
    pub fn new(config: &DebertaV2Config) -> DebertaV2Model {
        let model = <DebertaV2Model as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads `dir/config.json` and `dir/model.safetensors`
    /// (`DebertaV2Model.from_pretrained(dir)`).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<DebertaV2Model, PretrainedError> {
        Ok(DebertaV2Model::from_pretrained_with_report(dir)?.0)
    }

    /// [`DebertaV2Model::from_pretrained`] that also says which tensors were skipped (a
    /// pretraining head, the unused `position_embeddings` of v3 checkpoints).
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(DebertaV2Model, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Writes `config.json` and `model.safetensors` into `dir` (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture.
    pub fn config(&self) -> &DebertaV2Config {
        &self.config
    }

    /// Recompute each encoder layer during backward instead of keeping its activations
    /// (`model.gradient_checkpointing_enable()`).
    pub fn gradient_checkpointing_enable(&self) {
        self.encoder.gradient_checkpointing.set(true);
    }

    /// Keep activations again (`gradient_checkpointing_disable()`).
    pub fn gradient_checkpointing_disable(&self) {
        self.encoder.gradient_checkpointing.set(false);
    }

    /// Checks `input` against the model's tables (see [`EncoderInput::validate`]). Without a
    /// token-type table `token_type_ids` are ignored, as transformers does; without absolute
    /// positions any length is accepted.
    pub fn check_input(&self, input: &EncoderInput) -> Result<(), InputError> {
        let c = &self.config;
        let max = if c.position_biased_input {
            c.max_position_embeddings
        } else {
            usize::MAX
        };
        if c.type_vocab_size == 0 && input.token_type_ids.is_some() {
            let mut plain = input.clone();
            plain.token_type_ids = None;
            return plain.validate(c.vocab_size, None, max);
        }
        input.validate(c.vocab_size, Some(c.type_vocab_size), max)
    }

    /// Runs the model, or says why `input` does not fit it.
    pub fn try_forward(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.check_input(input)?;
        let (input_mask, masked) = padding_masks(input.attention_mask.as_ref());
        let embedded = self.embeddings.forward(
            &input.input_ids,
            input.token_type_ids.as_ref(),
            input_mask.as_ref(),
        );
        let stack = self.encoder.forward(
            embedded,
            input_mask.as_ref(),
            masked.as_ref(),
            input.output_hidden_states,
            input.output_attentions,
        );
        Ok(BaseModelOutput {
            last_hidden_state: stack.last,
            pooler_output: None,
            hidden_states: stack.hidden_states,
            attentions: stack.attentions,
        })
    }

    /// Runs the model (`model(input_ids, attention_mask=…, …)`); panics with the
    /// [`InputError`] message when `input` does not fit (see [`DebertaV2Model::try_forward`]).
    pub fn forward(&self, input: &EncoderInput) -> BaseModelOutput {
        self.try_forward(input)
            .unwrap_or_else(|e| panic!("DebertaV2Model.forward: {e}"))
    }

    /// Re-initialises the last `k` encoder layers as transformers' `_init_weights` would.
    pub fn reinit_last_layers(&self, k: usize) {
        let n = self.encoder.layer.len();
        for layer in &self.encoder.layer[n.saturating_sub(k)..] {
            init_bert_weights(layer.named_parameters(), self.config.initializer_range);
        }
    }

    /// transformers' `_init_weights` on the parameters under this model whose full names
    /// (`prefix` + name) `select` accepts.
    pub(crate) fn init_selected(&self, prefix: &str, select: &dyn Fn(&str) -> bool) {
        let params = self
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| select(&format!("{prefix}{n}")));
        init_bert_weights(params, self.config.initializer_range);
        if select(&format!("{prefix}embeddings.word_embeddings.weight")) {
            self.embeddings.word_embeddings.zero_padding_row();
        }
    }
}

/// Checkpoint tensors a DeBERTa model may leave unused: deberta-v3 checkpoints carry
/// `embeddings.position_embeddings.weight` although `position_biased_input` is false
/// (transformers' `_keys_to_ignore_on_load_unexpected = ["position_embeddings"]`).
pub(crate) fn unused_position_embeddings(name: &str) -> bool {
    name.ends_with("embeddings.position_embeddings.weight")
}

impl PretrainedModel for DebertaV2Model {
    type Config = DebertaV2Config;
    const BASE_MODEL_PREFIX: &'static str = "deberta";
    const ARCHITECTURE: &'static str = "DebertaV2Model";

    fn parse_config(text: &str, source: &str) -> Result<DebertaV2Config, PretrainedError> {
        DebertaV2Config::from_json(text, source)
    }

    fn build(config: &DebertaV2Config) -> DebertaV2Model {
        DebertaV2Model {
            embeddings: DebertaV2Embeddings::new(config),
            encoder: DebertaV2Encoder::new(config),
            config: config.clone(),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        self.init_selected("", select);
    }

    fn config(&self) -> &DebertaV2Config {
        &self.config
    }

    fn parameter_count(config: &DebertaV2Config) -> Option<u128> {
        config.parameter_count(false)
    }

    fn may_be_missing(_name: &str) -> bool {
        false
    }

    fn may_be_unused(name: &str) -> bool {
        unused_position_embeddings(name)
    }
}
