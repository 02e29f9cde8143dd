//! `BertModel`: embeddings, encoder and the optional pooler (transformers'
//! `modeling_bert.BertModel`), loadable from a Hugging Face folder.

use std::path::Path;

use crate::Module;
use crate::functional::extended_attention_mask;
use crate::models::error::{InputError, PretrainedError};
use crate::models::init::init_bert_weights;
use crate::models::input::{BaseModelOutput, EncoderInput};
use crate::models::pretrained::{self, LoadReport, PretrainedModel};

use super::{BertConfig, BertEmbeddings, BertEncoder, BertPooler};

/// A BERT encoder, parameter names as transformers' so checkpoints load unchanged:
/// `embeddings.*`, `encoder.layer.<i>.*`, `pooler.dense.*`.
///
/// ```no_run
/// use kiln_nn::Module;
/// use kiln_nn::models::{BertModel, EncoderInput};
/// use kiln_tensor::tensor;
///
/// let model = BertModel::from_pretrained("all-MiniLM-L6-v2")?;
/// model.eval();
/// let ids = tensor![[101i64, 1996, 4248, 102]];
/// let out = model.forward(&EncoderInput::new(ids));
/// assert_eq!(out.last_hidden_state.dims(), vec![1, 4, 384]);
/// # Ok::<(), kiln_nn::models::PretrainedError>(())
/// ```
#[derive(Module)]
pub struct BertModel {
    /// Word, position and token-type embeddings.
    pub embeddings: BertEmbeddings,
    /// The encoder layers.
    pub encoder: BertEncoder,
    /// `tanh(dense(h[:, 0]))`; `None` for `add_pooling_layer=False`.
    pub pooler: Option<BertPooler>,
    #[module(skip)]
    config: BertConfig,
}

impl BertModel {
    /// A randomly initialised model with a pooler (`BertModel(config)`), weights drawn as
    /// transformers' `_init_weights` does from the global generator.
    pub fn new(config: &BertConfig) -> BertModel {
        let model = <BertModel as PretrainedModel>::build(config);
        model.init_weights(&|_| true);
        model
    }

    /// The same model without its pooler (`add_pooling_layer=False`).
    pub fn without_pooler(mut self) -> BertModel {
        self.pooler = None;
        self
    }

    /// Loads `dir/config.json` and `dir/model.safetensors` (`BertModel.from_pretrained(dir)`).
    pub fn from_pretrained(dir: impl AsRef<Path>) -> Result<BertModel, PretrainedError> {
        Ok(BertModel::from_pretrained_with_report(dir)?.0)
    }

    /// [`BertModel::from_pretrained`] that also says which tensors were skipped or freshly
    /// initialised.
    pub fn from_pretrained_with_report(
        dir: impl AsRef<Path>,
    ) -> Result<(BertModel, LoadReport), PretrainedError> {
        pretrained::from_pretrained(dir.as_ref())
    }

    /// Writes `config.json` and `model.safetensors` into `dir` (`save_pretrained(dir)`).
    pub fn save_pretrained(&self, dir: impl AsRef<Path>) -> Result<(), PretrainedError> {
        pretrained::save_pretrained(self, dir.as_ref())
    }

    /// The architecture.
    pub fn config(&self) -> &BertConfig {
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

    /// Checks `input` against the model's tables (see [`EncoderInput::validate`]).
    pub fn check_input(&self, input: &EncoderInput) -> Result<(), InputError> {
        input.validate(
            self.config.vocab_size,
            Some(self.config.type_vocab_size),
            self.config.max_position_embeddings,
        )
    }

    /// Runs the model, or says why `input` does not fit it.
    pub fn try_forward(&self, input: &EncoderInput) -> Result<BaseModelOutput, InputError> {
        self.check_input(input)?;
        let embedded = self
            .embeddings
            .forward(&input.input_ids, input.token_type_ids.as_ref());
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
    /// [`InputError`] message when `input` does not fit (see [`BertModel::try_forward`]).
    pub fn forward(&self, input: &EncoderInput) -> BaseModelOutput {
        self.try_forward(input)
            .unwrap_or_else(|e| panic!("BertModel.forward: {e}"))
    }

    /// Re-initialises the last `k` encoder layers as transformers' `_init_weights` would
    /// (a common fine-tuning trick for small datasets).
    pub fn reinit_last_layers(&self, k: usize) {
        let n = self.encoder.layer.len();
        for layer in &self.encoder.layer[n.saturating_sub(k)..] {
            init_bert_weights(layer.named_parameters(), self.config.initializer_range);
        }
    }
}

impl PretrainedModel for BertModel {
    type Config = BertConfig;
    const BASE_MODEL_PREFIX: &'static str = "bert";
    const ARCHITECTURE: &'static str = "BertModel";

    fn parse_config(text: &str, source: &str) -> Result<BertConfig, PretrainedError> {
        BertConfig::from_json(text, source)
    }

    fn build(config: &BertConfig) -> BertModel {
        BertModel {
            embeddings: BertEmbeddings::new(config),
            encoder: BertEncoder::new(config),
            pooler: Some(BertPooler::new(config.hidden_size)),
            config: config.clone(),
        }
    }

    fn init_weights(&self, select: &dyn Fn(&str) -> bool) {
        let params = self
            .named_parameters()
            .into_iter()
            .filter(|(n, _)| select(n));
        init_bert_weights(params, self.config.initializer_range);
        if select("embeddings.word_embeddings.weight") {
            self.embeddings.word_embeddings.zero_padding_row();
        }
    }

    fn config(&self) -> &BertConfig {
        &self.config
    }

    fn parameter_count(config: &BertConfig) -> Option<u128> {
        config.parameter_count(false)
    }

    fn may_be_missing(name: &str) -> bool {
        name.starts_with("pooler.")
    }

    fn may_be_unused(name: &str) -> bool {
        name.starts_with("pooler.")
    }
}
