//! The seeds' Approaches 3 and 4 and their "training from scratch": a BERT-family encoder
//! with a classification head (pooler or mean pooling), trained by the [`Trainer`] with an
//! encoder and a head learning rate, from a pretrained Hugging Face folder or from random
//! weights with a WordPiece tokenizer trained on the training texts; the result is a
//! [`Predictor`] folder.

use std::path::{Path, PathBuf};

use kiln_data::{DataCollatorWithPadding, TokenBatch, TokenSequence, VecDataset};
use kiln_nn::Module;
use kiln_nn::models::pretrained::from_pretrained_with;
use kiln_nn::models::transfer::freeze_bottom;
use kiln_nn::models::{
    BertConfig, BertForSequenceClassification, ClassificationConfig, ClassifierPooling,
    EncoderInput,
};
use kiln_optim::{AdamConfig, AdamW, GroupingConfig, param_groups_from_named};
use kiln_tensor::manual_seed;
use kiln_text::Tokenizer;
use serde::{Deserialize, Serialize};

use super::classifier::TextClassifier;
use super::encode::{token_ids, truncating};
use super::error::RecipeError;
use super::scratch::{ScratchSettings, train_wordpiece};
use super::text_data::TextDataset;
use crate::learner::{Predictor, PredictorConfig};
use crate::metrics::{Metric, MetricSet, MulticlassRocAucOptions, ScoreAverage};
use crate::training::args::TrainingArguments;
use crate::training::state::TrainerState;
use crate::training::trainer::{StepOutput, Trainer};

/// Settings of the transformer recipe (`[model]` with `method = "transformer"`): exactly one
/// of `pretrained` and `from_scratch`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TransformerSettings {
    /// A Hugging Face BERT folder (`config.json`, `model.safetensors`, `tokenizer.json` or
    /// `vocab.txt`) to fine-tune.
    pub pretrained: Option<PathBuf>,
    /// The sizes of a randomly initialised encoder and its tokenizer, trained here.
    pub from_scratch: Option<ScratchSettings>,
    /// Tokens kept per text, special tokens included.
    pub max_length: usize,
    /// The sentence vector the head reads: `"mean"` (the seeds' `MeanPooling` head) or
    /// `"cls"` (BERT's pooler).
    pub pooling: ClassifierPooling,
    /// Learning rate of the head (the seeds use a larger one than the encoder's
    /// `learning_rate`); `None` trains everything at `learning_rate`.
    pub head_learning_rate: Option<f64>,
    /// Freeze the embeddings and the first this many encoder layers (partial freezing);
    /// with all layers, only the head trains.
    pub freeze_layers: usize,
}

impl Default for TransformerSettings {
    fn default() -> Self {
        TransformerSettings {
            pretrained: None,
            from_scratch: None,
            max_length: 128,
            pooling: ClassifierPooling::Mean,
            head_learning_rate: None,
            freeze_layers: 0,
        }
    }
}

/// A trained transformer classifier: a [`Predictor`] and the run's trainer state.
pub struct TransformerRun {
    /// The model, tokenizer and labels; `predictor.save(dir)` writes its folder.
    pub predictor: Predictor,
    /// The log history, best metric and step counts of the training run.
    pub state: TrainerState,
}

impl TextClassifier for Predictor {
    fn label_names(&self) -> &[String] {
        Predictor::label_names(self)
    }

    fn predict_proba(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, RecipeError> {
        Predictor::predict_proba(self, texts).map_err(RecipeError::run)
    }
}

/// Trains a classifier on `train` with `args` (its `output_dir` gets the log, the report
/// and any checkpoints); with `eval`, evaluations report accuracy, F1 and ROC AUC.
pub fn train_transformer(
    train: &TextDataset,
    eval: Option<&TextDataset>,
    settings: &TransformerSettings,
    args: TrainingArguments,
) -> Result<TransformerRun, RecipeError> {
    let (tokenizer, model) = match (&settings.pretrained, &settings.from_scratch) {
        (Some(dir), None) => pretrained_model(dir, train, settings)?,
        (None, Some(scratch)) => {
            let tokenizer = train_wordpiece(&train.texts, scratch)?;
            manual_seed(args.seed);
            let config = scratch.bert_config(&tokenizer, settings, train.label_names.clone())?;
            (tokenizer, BertForSequenceClassification::new(&config))
        }
        _ => {
            return Err(RecipeError::Config {
                path: None,
                message: "[model] needs exactly one of `pretrained` (a folder) and \
                          `[model.from_scratch]`"
                    .into(),
            });
        }
    };
    if settings.freeze_layers > 0 {
        freeze_bottom(&model.bert, settings.freeze_layers);
    }
    let tokenizer = truncating(&tokenizer, settings.max_length)?;
    let pad = model.config().pad_token_id as i64;
    let train_data = sequences(&tokenizer, train)?;
    let collator = DataCollatorWithPadding::new().with_pad_token_id(pad);
    let lr = args.learning_rate;
    let weight_decay = args.weight_decay;
    let mut trainer = Trainer::new(model, args, collator, classification_step)
        .map_err(RecipeError::run)?
        .with_train_dataset(train_data);
    if let Some(head_lr) = settings.head_learning_rate {
        let grouping = GroupingConfig::new(weight_decay).with_encoder("bert.", lr, head_lr);
        let groups = param_groups_from_named(trainer.model().named_parameters(), &grouping);
        trainer = trainer.with_optimizer(AdamW::new(
            groups,
            AdamConfig::adamw(lr).with_weight_decay(weight_decay),
        ));
    }
    if let Some(eval) = eval {
        let f1 = if train.label_names.len() == 2 {
            ScoreAverage::Binary { pos_label: 1 }
        } else {
            ScoreAverage::Macro
        };
        let metrics = MetricSet::new()
            .with(Metric::Accuracy)
            .with(Metric::F1(f1))
            .with(Metric::RocAuc(MulticlassRocAucOptions::default()));
        trainer = trainer
            .with_eval_dataset(sequences(&tokenizer, eval)?)
            .with_compute_metrics(metrics.into_compute_metrics());
    }
    trainer.train(None).map_err(RecipeError::run)?;
    let state = trainer.state().clone();
    let model = trainer.into_model();
    model.eval();
    let config = PredictorConfig::new(train.label_names.clone(), settings.max_length);
    let predictor = Predictor::new(model, tokenizer, config).map_err(RecipeError::run)?;
    Ok(TransformerRun { predictor, state })
}

/// The tokenizer and classifier of the pretrained folder `dir`, with a new head for the
/// labels of `train` and the pooling of `settings`.
fn pretrained_model(
    dir: &Path,
    train: &TextDataset,
    settings: &TransformerSettings,
) -> Result<(Tokenizer, BertForSequenceClassification), RecipeError> {
    let tokenizer = Tokenizer::from_pretrained(dir).map_err(|e| RecipeError::model(dir, e))?;
    let (model, _report) = from_pretrained_with(dir, |config: &mut BertConfig| {
        config.classification = labels_config(train.label_names.clone());
        config.classifier_pooling = settings.pooling;
    })
    .map_err(|e| RecipeError::model(dir, e))?;
    Ok((tokenizer, model))
}

/// A classification config naming `label_names` by class id.
pub(crate) fn labels_config(label_names: Vec<String>) -> ClassificationConfig {
    let mut config = ClassificationConfig::with_num_labels(label_names.len());
    config.id2label = label_names.iter().cloned().enumerate().collect();
    config.label2id = label_names
        .into_iter()
        .enumerate()
        .map(|(i, l)| (l, i))
        .collect();
    config
}

/// Every text of `data` tokenized, with its label.
fn sequences(
    tokenizer: &Tokenizer,
    data: &TextDataset,
) -> Result<VecDataset<TokenSequence>, RecipeError> {
    let ids = token_ids(tokenizer, &data.texts)?;
    Ok(VecDataset(
        ids.into_iter()
            .zip(&data.labels)
            .map(|(ids, &label)| {
                TokenSequence::from((ids.into_iter().map(i64::from).collect::<Vec<_>>(), label))
            })
            .collect(),
    ))
}

/// The Trainer's loss of one padded batch, with its logits and labels for evaluation.
fn classification_step(model: &BertForSequenceClassification, batch: &TokenBatch) -> StepOutput {
    let input = EncoderInput::new(batch.input_ids.clone())
        .with_attention_mask(batch.attention_mask.clone());
    let labels = batch.labels.as_ref().expect("every sequence has a label");
    let out = model.forward(&input, Some(labels));
    let loss = out.loss.expect("labels give a loss");
    StepOutput::with_predictions(loss, out.logits.value().clone(), labels.clone())
}
