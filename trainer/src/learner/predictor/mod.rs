//! [`Predictor`]: a trained text classifier with its tokenizer, label names and
//! preprocessing, saved to and loaded from one folder (ktrain's `get_predictor`,
//! `predictor.save`, `load_predictor`, `predict`, `predict_proba`).
//!
//! The folder holds `config.json` and `model.safetensors` (Hugging Face's layout, written by
//! `BertForSequenceClassification::save_pretrained`), `tokenizer.json` (Hugging Face
//! tokenizers' format) and [`PREDICTOR_FILE`]. `predictor.json` is written last and
//! atomically, so a folder that has it is complete.

mod config;
mod error;
mod files;

use std::path::Path;
use std::sync::Arc;

use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::{BertForSequenceClassification, EncoderInput};
use kiln_tensor::{DType, Tensor};
use kiln_text::Tokenizer;
use kiln_text::utils::truncation::TruncationParams;

pub use config::{FORMAT_VERSION, PREDICTOR_FILE, PredictorConfig};
pub use error::PredictorError;
pub use files::TOKENIZER_FILE;

/// Labels and probabilities for raw strings from a BERT sequence classifier.
///
/// Texts are preprocessed (optional lowercasing), tokenized with `[CLS]`/`[SEP]` and
/// truncated to `max_length`, padded per batch of `batch_size` with the model's
/// `pad_token_id` and an attention mask, and run in eval mode without gradients; the
/// probabilities are the softmax of the logits in f32. Batches are cut in the order of the
/// texts, so the same texts and batch size give bit-identical probabilities.
pub struct Predictor {
    model: Arc<BertForSequenceClassification>,
    tokenizer: Tokenizer,
    config: PredictorConfig,
}

impl Predictor {
    /// A predictor for `model` (owned or shared with a [`crate::learner::Learner`]) with
    /// `tokenizer` (ktrain's `get_predictor(model, preproc)`). Errors when the label names
    /// are not one per classifier output, or `max_length` / `batch_size` are out of range.
    pub fn new(
        model: impl Into<Arc<BertForSequenceClassification>>,
        tokenizer: Tokenizer,
        config: PredictorConfig,
    ) -> Result<Predictor, PredictorError> {
        let model = model.into();
        check(&model, &config)?;
        let tokenizer = tokenizer
            .try_with_truncation(Some(TruncationParams {
                max_length: config.max_length,
                ..TruncationParams::default()
            }))
            .map_err(|source| PredictorError::Invalid {
                key: "max_length",
                reason: source.to_string(),
            })?;
        Ok(Predictor {
            model,
            tokenizer,
            config,
        })
    }

    /// Writes the folder `dir` (created if needed): model, tokenizer, `predictor.json`
    /// (ktrain's `predictor.save(path)`).
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), PredictorError> {
        files::save(dir.as_ref(), &self.model, &self.tokenizer, &self.config)
    }

    /// Loads a folder written by [`Predictor::save`] (ktrain's `load_predictor(path)`);
    /// a missing file is [`PredictorError::MissingFile`] naming it, a corrupt one an error
    /// naming it.
    pub fn load(dir: impl AsRef<Path>) -> Result<Predictor, PredictorError> {
        let (model, tokenizer, config) = files::load(dir.as_ref())?;
        Predictor::new(model, tokenizer, config)
    }

    /// Uses batches of `batch_size` texts (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Result<Predictor, PredictorError> {
        self.config.batch_size = batch_size;
        check(&self.model, &self.config)?;
        Ok(self)
    }

    /// The model.
    pub fn model(&self) -> &BertForSequenceClassification {
        &self.model
    }

    /// The tokenizer (with the truncation to `max_length`).
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Label names, preprocessing and batch size.
    pub fn config(&self) -> &PredictorConfig {
        &self.config
    }

    /// The class names, by class index (ktrain's `predictor.get_classes()`).
    pub fn label_names(&self) -> &[String] {
        &self.config.label_names
    }

    /// The probability of every class for every text, `[texts][num_labels]` (ktrain's
    /// `predictor.predict_proba(texts)`); an empty list gives an empty result.
    pub fn predict_proba(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, PredictorError> {
        let mut out = Vec::with_capacity(texts.len());
        let was_training = self.model.is_training();
        self.model.eval();
        let result = texts
            .chunks(self.config.batch_size)
            .enumerate()
            .try_for_each(|(b, chunk)| {
                out.extend(self.batch_proba(chunk, b * self.config.batch_size)?);
                Ok(())
            });
        self.model.train(was_training);
        result.map(|()| out)
    }

    /// The most probable class name of every text (ktrain's `predictor.predict(texts)`;
    /// ties go to the lower class index, as `np.argmax`).
    pub fn predict(&self, texts: &[&str]) -> Result<Vec<String>, PredictorError> {
        Ok(self
            .predict_proba(texts)?
            .iter()
            .map(|p| self.config.label_names[argmax(p)].clone())
            .collect())
    }

    /// The most probable class name of one text (ktrain's `predictor.predict(text)`).
    pub fn predict_one(&self, text: &str) -> Result<String, PredictorError> {
        let mut labels = self.predict(&[text])?;
        Ok(labels.pop().unwrap_or_default())
    }

    /// Probabilities of the texts of one batch; `first` is the index of its first text.
    fn batch_proba(&self, texts: &[&str], first: usize) -> Result<Vec<Vec<f32>>, PredictorError> {
        let ids = texts
            .iter()
            .enumerate()
            .map(|(i, text)| {
                let text = if self.config.lowercase {
                    std::borrow::Cow::Owned(text.to_lowercase())
                } else {
                    std::borrow::Cow::Borrowed(*text)
                };
                self.tokenizer
                    .encode(&text, true)
                    .map(|e| e.ids().to_vec())
                    .map_err(|source| PredictorError::Encode {
                        index: first + i,
                        source,
                    })
            })
            .collect::<Result<Vec<Vec<u32>>, _>>()?;
        let input = padded(&ids, self.model.config().pad_token_id as i64);
        let logits = {
            let _no_grad = no_grad();
            self.model
                .try_forward(&input, None)
                .map_err(PredictorError::Input)?
                .logits
                .value()
        };
        let n = self.config.label_names.len();
        let probs = logits.to_dtype(DType::F32).softmax(1usize).to_vec::<f32>();
        Ok(probs.chunks(n).map(<[f32]>::to_vec).collect())
    }
}

/// Checks the label count and the sizes of `config` against `model`.
fn check(
    model: &BertForSequenceClassification,
    config: &PredictorConfig,
) -> Result<(), PredictorError> {
    let num_labels = model.config().classification.num_labels();
    if config.label_names.len() != num_labels {
        return Err(PredictorError::LabelCount {
            label_names: config.label_names.len(),
            num_labels,
        });
    }
    let positions = model.config().max_position_embeddings;
    if config.max_length < 2 || config.max_length > positions {
        return Err(PredictorError::Invalid {
            key: "max_length",
            reason: format!(
                "{} is not within 2..={positions} (the model's max_position_embeddings)",
                config.max_length
            ),
        });
    }
    if config.batch_size == 0 {
        return Err(PredictorError::Invalid {
            key: "batch_size",
            reason: "must be at least 1".into(),
        });
    }
    Ok(())
}

/// The sequences `ids` padded with `pad_id` to the longest, with the attention mask.
fn padded(ids: &[Vec<u32>], pad_id: i64) -> EncoderInput {
    let len = ids.iter().map(Vec::len).max().unwrap_or(0);
    let mut input_ids = vec![pad_id; ids.len() * len];
    let mut mask = vec![0i64; ids.len() * len];
    for (b, row) in ids.iter().enumerate() {
        for (t, &id) in row.iter().enumerate() {
            input_ids[b * len + t] = i64::from(id);
            mask[b * len + t] = 1;
        }
    }
    EncoderInput::new(Tensor::from_vec(input_ids, [ids.len(), len]))
        .with_attention_mask(Tensor::from_vec(mask, [ids.len(), len]))
}

/// The index of the first largest value (`np.argmax`); NaN never wins.
fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] || values[best].is_nan() {
            best = i;
        }
    }
    best
}
