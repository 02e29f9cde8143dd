//! `RobertaModel`: BERT's embeddings (positions from the padding), encoder and optional pooler
//! (transformers' `modeling_roberta.RobertaModel`), loadable from a Hugging Face folder.

use std::path::Path;

use crate::Module;
use crate::functional::extended_attention_mask;
use crate::models::bert::{BertEmbeddings, BertEncoder, BertPooler};
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::{embedding, init_bert_weights};
use crate::models::input::{BaseModelOutput, EncoderInput};
use crate::models::pretrained::{self, LoadReport, PretrainedModel};

use super::{RobertaConfig, create_position_ids_from_input_ids};

/// A RoBERTa encoder with transformers' parameter names, so checkpoints load unchanged:
/// `embeddings.*`, `encoder.layer.<i>.*`, `pooler.dense.*` (the layers are BERT's).
#[derive(Module)]
pub struct RobertaModel {
    /// Word, position and token-type embeddings; the position table's `padding_idx` row
    /// gets no gradient.
    pub embeddings: BertEmbeddings,
    /// The encoder layers.
    pub encoder: BertEncoder,
    /// `tanh(dense(h[:, 0]))`; `None` for `add_pooling_layer=False`.
    pub pooler: Option<BertPooler>,
    #[module(skip)]
    config: RobertaConfig,
}

impl RobertaModel {
    /// A randomly initialised model with a pooler (`RobertaModel(config)`), weights drawn as
    /// transformers' `_init_weights` does.
    pub fn new(config: &RobertaConfig) -> RobertaModel {
        let model = <RobertaModel as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// The same model without its pooler (`add_pooling_layer=False`).
    pub fn without_pooler(mut self) -> RobertaModel {
        self.pooler = None;
        self
    }

    /// Loads `dir/config.json` and `dir/model.safetensors`
    /// (`RobertaModel.from_pretrained(dir)`).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<RobertaModel, PretrainedError> {
        Ok(RobertaModel::from_pretrained_with_report(dir)?.0)
    }

    /// [`RobertaModel::from_pretrained`] that also says which tensors were skipped or freshly
    /// initialised.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(RobertaModel, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Writes `config.json` and `model.safetensors` into `dir` (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture.
    pub fn config(&self) -> &RobertaConfig {
        &self.config
    }

    /// Recompute each encoder layer during backward (`gradient_checkpointing_enable()`).
    pub fn gradient_checkpointing_enable(&self) {
        self.encoder.gradient_checkpointing.set(true);
    }

    /// Keep activations again (`gradient_checkpointing_disable()`).
    pub fn gradient_checkpointing_disable(&self) {
        self.encoder.gradient_checkpointing.set(false);
    }

    /// Checks `input` against the model's tables (see [`EncoderInput::validate`]); the
    /// longest input is [`RobertaConfig::max_sequence_length`].
    pub fn check_input(&self, input: &EncoderInput) -> Result<(), InputError> {
        input.validate(
            self.config.vocab_size,
            Some(self.config.type_vocab_size),
            self.config.max_sequence_length(),
        )
    }

    /// Runs the model, or says why `input` does not fit it. Position ids are
    /// [`create_position_ids_from_input_ids`] of the input ids.
    pub fn try_forward(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.check_input(input)?;
        let position_ids =
            create_position_ids_from_input_ids(&input.input_ids, self.config.padding_idx());
        let embedded = self.embeddings.forward_with_position_ids(
            &input.input_ids,
            input.token_type_ids.as_ref(),
            &position_ids,
        );
        let mask = input
            .attention_mask
            .as_ref()
            .map(|m| extended_attention_mask(m, embedded.value().dtype()));
        let stack = self.encoder.forward(
            embedded,
            mask.as_ref(),
            input.output_hidden_states,
            input.output_attentions,
        );
        let pooler_output = self.pooler.as_ref().map(|p| p.forward(&stack.last));
        Ok(BaseModelOutput {
            last_hidden_state: stack.last,
            pooler_output,
            hidden_states: stack.hidden_states,
            attentions: stack.attentions,
        })
    }

    /// Runs the model (`model(input_ids, attention_mask=…, …)`); panics with the
    /// [`InputError`] message when `input` does not fit (see [`RobertaModel::try_forward`]).
    pub fn forward(&self, input: &EncoderInput) -> BaseModelOutput {
        self.try_forward(input)
            .unwrap_or_else(|e| panic!("RobertaModel.forward: {e}"))
    }

    /// transformers' `_init_weights` for the parameters `select` accepts, whose names carry
    /// `prefix` (`""` here, `"roberta."` inside a head): normal weights, zero biases, unit
    /// LayerNorms, and the padding rows of the word and position tables zeroed.
    pub(crate) fn init_selected(&self, prefix: &str, select: &dyn Fn(&str) -> bool) {
        let params = self
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| select(&format!("{prefix}{n}")));
        init_bert_weights(params, self.config.initializer_range);
        if select(&format!("{prefix}embeddings.word_embeddings.weight")) {
            self.embeddings.word_embeddings.zero_padding_row();
        }
        if select(&format!("{prefix}embeddings.position_embeddings.weight")) {
            self.embeddings.position_embeddings.zero_padding_row();
        }
    }
}

impl PretrainedModel for RobertaModel {
    type Config = RobertaConfig;
    const BASE_MODEL_PREFIX: &'static str = "roberta";
    const ARCHITECTURE: &'static str = "RobertaModel";

    fn parse_config(text: &str, source: &str) -> Result<RobertaConfig, PretrainedError> {
        RobertaConfig::from_json(text, source)
    }

    fn build(config: &RobertaConfig) -> RobertaModel {
        let mut embeddings = BertEmbeddings::new(config);
        embeddings.position_embeddings =
            embedding(config.max_position_embeddings, config.hidden_size)
                .with_padding_idx(config.padding_idx());
        RobertaModel {
            embeddings,
            encoder: BertEncoder::new(config),
            pooler: Some(BertPooler::new(config.hidden_size)),
            config: config.clone(),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        self.init_selected("", select);
    }

    fn config(&self) -> &RobertaConfig {
        &self.config
    }

    fn parameter_count(config: &RobertaConfig) -> Option<u128> {
        config.parameter_count(false)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("pooler.")
    }

    fn may_be_unused(name: &str) -> bool {
        name.starts_with("pooler.")
    }
}
