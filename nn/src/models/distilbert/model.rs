//! `DistilBertModel`: embeddings and the transformer stack (transformers'
//! `modeling_distilbert.DistilBertModel`; no pooler, no token types).

use std::path::Path;
use std::sync::Arc;

use crate::Module;
use crate::functional::extended_attention_mask;
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::init_bert_weights;
use crate::models::input::{BaseModelOutput, EncoderInput};
use crate::models::layer_stack::{CheckpointFlag, run_layers};
use crate::models::pretrained::{self, LoadReport, PretrainedModel};

use super::config::DistilBertConfig;
use super::embeddings::{DistilBertEmbeddings, sinusoidal_table};
use super::layer::DistilBertLayer;

/// DistilBERT's layer stack (transformers' `Transformer`, parameters `transformer.layer.<i>`).
#[derive(Module)]
pub struct DistilBertTransformer {
    /// The layers.
    pub layer: Vec<Arc<DistilBertLayer>>,
    #[module(skip)]
    gradient_checkpointing: CheckpointFlag,
}

/// A DistilBERT encoder with transformers' parameter names (`embeddings.*`,
/// `transformer.layer.<i>.*`).
#[derive(Module)]
pub struct DistilBertModel {
    /// Word and position embeddings.
    pub embeddings: DistilBertEmbeddings,
    /// The layers.
    pub transformer: DistilBertTransformer,
    #[module(skip)]
    config: DistilBertConfig,
}

impl DistilBertModel {
    /// A randomly initialised model (`DistilBertModel(config)`).
    pub fn new(config: &DistilBertConfig) -> DistilBertModel {
        let model = <Self as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// Loads a Hugging Face folder (`DistilBertModel.from_pretrained(dir)`).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<DistilBertModel, PretrainedError> {
        Ok(Self::from_pretrained_with_report(dir)?.0)
    }

    /// [`DistilBertModel::from_pretrained`] with the load report.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(DistilBertModel, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Writes the folder (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture.
    pub fn config(&self) -> &DistilBertConfig {
        &self.config
    }

    /// Recompute each layer during backward (`gradient_checkpointing_enable()`).
    pub fn gradient_checkpointing_enable(&self) {
        self.transformer.gradient_checkpointing.set(true);
    }

    /// Keep activations again (`gradient_checkpointing_disable()`).
    pub fn gradient_checkpointing_disable(&self) {
        self.transformer.gradient_checkpointing.set(false);
    }

    /// Checks `input` against the model's tables; DistilBERT takes no `token_type_ids`.
    pub fn check_input(&self, input: &EncoderInput) -> Result<(), InputError> {
        input.validate(
            self.config.vocab_size,
            None,
            self.config.max_position_embeddings,
        )
    }

    /// Runs the model, or says why `input` does not fit it.
    pub fn try_forward(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.check_input(input)?;
        let embedded = self.embeddings.forward(&input.input_ids);
        let mask = input
            .attention_mask
            .as_ref()
            .map(|m| extended_attention_mask(m, embedded.value().dtype()));
        let stack = run_layers(
            &self.transformer.layer,
            embedded,
            mask.as_ref(),
            input.output_hidden_states,
            input.output_attentions,
            self.transformer.gradient_checkpointing.get(),
        );
        Ok(BaseModelOutput {
            last_hidden_state: stack.last,
            pooler_output: None,
            hidden_states: stack.hidden_states,
            attentions: stack.attentions,
        })
    }

    /// Runs the model; panics with the [`InputError`] message on unfit input.
    pub fn forward(&self, input: &EncoderInput) -> BaseModelOutput {
        self.try_forward(input)
            .unwrap_or_else(|e| panic!("DistilBertModel.forward: {e}"))
    }

    /// Re-initialises the last `k` layers (transformers' `_init_weights`).
    pub fn reinit_last_layers(&self, k: usize) {
        let n = self.transformer.layer.len();
        for layer in &self.transformer.layer[n.saturating_sub(k)..] {
            init_bert_weights(layer.named_parameters(), self.config.initializer_range);
        }
    }
}

impl PretrainedModel for DistilBertModel {
    type Config = DistilBertConfig;
    const BASE_MODEL_PREFIX: &'static str = "distilbert";
    const ARCHITECTURE: &'static str = "DistilBertModel";

    fn parse_config(text: &str, source: &str) -> Result<DistilBertConfig, PretrainedError> {
        DistilBertConfig::from_json(text, source)
    }

    fn build(config: &DistilBertConfig) -> DistilBertModel {
        DistilBertModel {
            embeddings: DistilBertEmbeddings::new(config),
            transformer: DistilBertTransformer {
                layer: (0..config.n_layers)
                    .map(|_| Arc::new(DistilBertLayer::new(config)))
                    .collect(),
                gradient_checkpointing: CheckpointFlag::default(),
            },
            config: config.clone(),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        init_distilbert(self, "", select);
    }

    fn config(&self) -> &DistilBertConfig {
        &self.config
    }

    fn parameter_count(config: &DistilBertConfig) -> Option<u128> {
        config.parameter_count(false)
    }

    fn may_be_missing(_name: &str) -> bool {
        false
    }
}

/// transformers' `DistilBertPreTrainedModel._init_weights` for the selected parameters of
/// `model`, whose names carry `prefix` inside the model being initialised.
pub(crate) fn init_distilbert(
    model: &DistilBertModel,
    prefix: &str,
    select: &dyn Fn(&str) -> bool,
) {
    let params = model
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| select(&format!("{prefix}{n}")));
    init_bert_weights(params, model.config.initializer_range);
    if select(&format!("{prefix}embeddings.word_embeddings.weight")) {
        model.embeddings.word_embeddings.zero_padding_row();
    }
    if model.config.sinusoidal_pos_embds
        && select(&format!("{prefix}embeddings.position_embeddings.weight"))
    {
        let table = &model.embeddings.position_embeddings.weight;
        let d = table.dims();
        table.set_value(sinusoidal_table(d[0], d[1]));
        table.requires_grad_(false);
    }
}
