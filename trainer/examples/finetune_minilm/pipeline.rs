//! The seeds' Approach 4 as reusable steps: all-MiniLM-L6-v2 + mean pooling + a linear head
//! (the seeds' `DAIGTModel`), fine-tuned end to end with AdamW (encoder / head learning
//! rates, no decay on biases and LayerNorm weights), linear warmup and decay, and
//! cross-entropy on two classes. Shared by the `finetune_minilm` example and its test.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use kiln_autograd::{Var, autocast, no_grad};
use kiln_nn::loss::CrossEntropyLoss;
use kiln_nn::models::{BertModel, EncoderInput, PretrainedError};
use kiln_nn::{Forward, Linear, MeanPooling, Module};
use kiln_optim::schedulers::{LrScheduler, get_linear_schedule_with_warmup};
use kiln_optim::{
    AdamConfig, AdamW, GradScaler, GradScalerConfig, GroupingConfig, Optimizer,
    param_groups_from_named,
};
use kiln_tensor::{DType, Generator, Tensor, manual_seed};
use kiln_text::Tokenizer;
use kiln_trainer::metrics::{accuracy_score, roc_auc_score};

use crate::minilm_imdb::{self, Sample};

/// The seeds' `DAIGTModel`: a pretrained encoder, mean pooling of its last layer, and a
/// linear classifier on the pooled vector.
#[derive(Module)]
pub struct MeanPoolClassifier {
    /// The pretrained encoder (no pooler); its parameters are named `model.*`.
    pub model: BertModel,
    /// Mask-aware mean over tokens.
    pub pool: MeanPooling,
    /// `Linear(hidden, num_labels)`, PyTorch's default initialisation.
    pub classifier: Linear,
}

impl MeanPoolClassifier {
    /// The encoder of the Hugging Face folder `dir` and a new `num_labels`-way head.
    pub fn from_pretrained(dir: &Path, num_labels: usize) -> Result<Self, PretrainedError> {
        let model = BertModel::from_pretrained(dir)?.without_pooler();
        let hidden = model.config().hidden_size;
        Ok(MeanPoolClassifier {
            model,
            pool: MeanPooling,
            classifier: Linear::new(hidden, num_labels, true),
        })
    }

    /// The pooled sentence vector `[B, hidden]` (`DAIGTModel.feature`).
    pub fn feature(&self, input: &EncoderInput) -> Var {
        let output = self.model.forward(input);
        let mask = input
            .attention_mask
            .as_ref()
            .expect("MeanPoolClassifier needs an attention mask");
        self.pool.forward(&output.last_hidden_state, mask)
    }

    /// Class logits `[B, num_labels]`.
    pub fn forward(&self, input: &EncoderInput) -> Var {
        self.classifier.forward(&self.feature(input))
    }
}

/// Run settings: the recipe of the seeds' Approach 4, shortened to one epoch.
pub struct Settings {
    /// Training reviews (half of each class).
    pub n_train: usize,
    /// Held-out reviews (half of each class).
    pub n_test: usize,
    /// Word pieces kept per review, `[CLS]` and `[SEP]` included.
    pub max_length: usize,
    /// Passes over the training reviews.
    pub epochs: usize,
    /// Reviews per optimizer step.
    pub batch_size: usize,
    /// Reviews per forward when evaluating.
    pub eval_batch_size: usize,
    /// AdamW learning rate of the encoder.
    pub encoder_lr: f64,
    /// AdamW learning rate of the head.
    pub head_lr: f64,
    /// Decoupled weight decay of every weight but biases and LayerNorm weights.
    pub weight_decay: f64,
    /// Share of the steps with a linearly rising learning rate.
    pub warmup_ratio: f64,
    /// Seed of the sample order, the head's initialisation and dropout.
    pub seed: u64,
    /// Mixed precision: `Some(F16)` (autocast + loss scaling, as `torch.autocast` with a
    /// `GradScaler`) or `Some(BF16)` (autocast only); `None` trains in f32.
    pub autocast: Option<DType>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            n_train: 2000,
            n_test: 1000,
            max_length: 128,
            epochs: 1,
            batch_size: 16,
            eval_batch_size: 64,
            encoder_lr: 5e-5,
            head_lr: 1e-3,
            weight_decay: 0.01,
            warmup_ratio: 0.1,
            seed: 42,
            autocast: None,
        }
    }
}

/// One optimizer step, as reported to the caller.
pub struct Step {
    /// 1-based step number.
    pub step: usize,
    /// Steps in the run.
    pub total: usize,
    /// Mean cross-entropy of the batch.
    pub loss: f64,
    /// Seconds for the forward, backward and update.
    pub seconds: f64,
    /// Encoder learning rate used for the step.
    pub encoder_lr: f64,
}

/// What training and the held-out evaluation found.
pub struct Evaluation {
    /// Loss of every step.
    pub losses: Vec<f64>,
    /// Mean seconds per optimizer step.
    pub seconds_per_step: f64,
    /// Seconds of training in all.
    pub train_seconds: f64,
    /// Seconds of the held-out evaluation.
    pub eval_seconds: f64,
    /// Held-out accuracy in `[0, 1]`.
    pub accuracy: f64,
    /// Held-out ROC AUC of P(positive).
    pub roc_auc: f64,
    /// fp16 steps skipped because the scaled gradients overflowed.
    pub skipped_steps: usize,
}

/// Fine-tunes MiniLM from `dir` on the training part of `sample` and evaluates on the
/// held-out part; `on_step` sees every step as it finishes.
pub fn run(
    dir: &Path,
    sample: &Sample,
    settings: &Settings,
    mut on_step: impl FnMut(&Step),
) -> Result<Evaluation, Box<dyn Error>> {
    let tokenizer = Tokenizer::from_pretrained(dir)?;
    let train_ids = minilm_imdb::tokenize(&tokenizer, &sample.train_texts, settings.max_length)?;
    let test_ids = minilm_imdb::tokenize(&tokenizer, &sample.test_texts, settings.max_length)?;
    manual_seed(settings.seed);
    let model = MeanPoolClassifier::from_pretrained(dir, 2)?;

    let grouping = GroupingConfig::new(settings.weight_decay).with_encoder(
        "model.",
        settings.encoder_lr,
        settings.head_lr,
    );
    let groups = param_groups_from_named(model.named_parameters(), &grouping);
    let mut optimizer = AdamW::new(
        groups,
        AdamConfig::adamw(settings.encoder_lr).with_weight_decay(settings.weight_decay),
    );
    let steps_per_epoch = train_ids.len().div_ceil(settings.batch_size);
    let total = steps_per_epoch * settings.epochs;
    let warmup = (settings.warmup_ratio * total as f64) as usize;
    let mut scheduler = get_linear_schedule_with_warmup(&mut optimizer, warmup, total);
    let criterion = CrossEntropyLoss::new();
    // Loss scaling only for fp16; a disabled scaler passes the loss and steps through.
    let mut scaler = GradScaler::new(GradScalerConfig {
        enabled: settings.autocast == Some(DType::F16),
        ..GradScalerConfig::default()
    });
    let mut skipped_steps = 0;

    let mut generator = Generator::new(settings.seed);
    let mut order: Vec<usize> = (0..train_ids.len()).collect();
    let mut losses = Vec::with_capacity(total);
    let train_start = Instant::now();
    model.train(true);
    for _ in 0..settings.epochs {
        kiln_trainer::recipes::shuffle(&mut order, &mut generator);
        for rows in order.chunks(settings.batch_size) {
            let start = Instant::now();
            let encoder_lr = optimizer.lr(0);
            let input = minilm_imdb::padded_batch(&train_ids, rows);
            let labels: Vec<i64> = rows.iter().map(|&r| sample.train_labels[r]).collect();
            let labels = Var::constant(Tensor::from_vec(labels, [rows.len()]));
            let loss = {
                let _amp = autocast(settings.autocast);
                criterion.forward(&model.forward(&input), &labels)
            };
            scaler.scale(&loss).backward();
            if scaler.step(&mut optimizer) {
                scheduler.step(&mut optimizer);
            } else {
                skipped_steps += 1;
            }
            scaler.update();
            optimizer.zero_grad(true);
            let loss = loss.value().item::<f64>();
            losses.push(loss);
            on_step(&Step {
                step: losses.len(),
                total,
                loss,
                seconds: start.elapsed().as_secs_f64(),
                encoder_lr,
            });
        }
    }
    let train_seconds = train_start.elapsed().as_secs_f64();

    let eval_start = Instant::now();
    let p_positive = {
        let _amp = autocast(settings.autocast);
        predict_positive(&model, &test_ids, settings.eval_batch_size)
    };
    let predicted: Vec<i64> = p_positive.iter().map(|&p| i64::from(p > 0.5)).collect();
    Ok(Evaluation {
        seconds_per_step: train_seconds / losses.len().max(1) as f64,
        losses,
        train_seconds,
        eval_seconds: eval_start.elapsed().as_secs_f64(),
        accuracy: accuracy_score(&sample.test_labels, &predicted)?,
        roc_auc: roc_auc_score(&sample.test_labels, &p_positive)?,
        skipped_steps,
    })
}

/// P(class 1) for every sequence of `ids`, in eval mode without gradients, in length-sorted
/// batches.
pub fn predict_positive(
    model: &MeanPoolClassifier,
    ids: &[Vec<u32>],
    batch_size: usize,
) -> Vec<f64> {
    model.eval();
    let _guard = no_grad();
    let mut p = vec![0.0; ids.len()];
    for rows in kiln_trainer::recipes::length_sorted_batches(ids, batch_size) {
        let probs = model
            .forward(&minilm_imdb::padded_batch(ids, &rows))
            .value()
            .softmax(1usize)
            .to_vec::<f64>();
        for (b, &r) in rows.iter().enumerate() {
            p[r] = probs[2 * b + 1];
        }
    }
    p
}
