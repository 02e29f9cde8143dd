//! The seeds' Approach 4 with DeBERTa-v3: encoder + mean pooling + a linear head, stratified
//! 3-fold cross-validation on a balanced IMDB sample with a Trainer per fold, then the
//! per-fold metrics, their mean ± std and the out-of-fold accuracy. Needs
//! `cargo xtask fetch imdb`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example deberta_kfold                 # random-initialised
//! cargo run --release -p kiln-trainer --example deberta_kfold -- DEBERTA_DIR  # e.g. deberta-v3-xsmall
//! ```
//!
//! Without a folder the encoder is random-initialised with deberta-v3-xsmall's architecture
//! over a small Unigram vocabulary, so the run shows the workflow, not a good accuracy; with
//! a Hugging Face DeBERTa-v2/v3 folder (`config.json`, `model.safetensors`,
//! `tokenizer.json`) it fine-tunes that checkpoint.
//!
//! Python equivalent (the seeds):
//! ```text
//! skf = StratifiedKFold(n_splits=3, shuffle=True, random_state=42)
//! for fold, (tr, va) in enumerate(skf.split(texts, labels)):
//!     model = DAIGTModel("microsoft/deberta-v3-xsmall")  # AutoModel + MeanPooling + Linear
//!     trainer = Trainer(model, args, train_dataset=tr, eval_dataset=va, ...)
//!     trainer.train(); oof[va] = trainer.predict(va).predictions
//! ```

mod pipeline;

use std::error::Error;
use std::path::PathBuf;
use std::time::Instant;

use kiln_data::datasets::Imdb;
use kiln_trainer::recipes::balanced_sample;

/// Reviews in the cross-validation (half of each class).
const N_REVIEWS: usize = 240;

fn main() -> Result<(), Box<dyn Error>> {
    kiln_tensor::init_thread_pool(None)?;
    let start = Instant::now();
    let encoder = match std::env::args_os().nth(1) {
        Some(dir) => pipeline::Encoder::Pretrained(PathBuf::from(dir)),
        None => pipeline::Encoder::random_xsmall(pipeline::sotu_unigram_tokenizer())?,
    };
    let imdb = Imdb::load()?;
    let (sample, _) = balanced_sample(imdb.texts(), imdb.labels(), N_REVIEWS, 0, 42)?;
    let mut settings = pipeline::Settings::new(std::env::temp_dir().join("kiln-deberta-kfold"));
    settings.max_length = 64;
    let out = pipeline::run(&encoder, &sample.texts, &sample.labels, &settings)?;
    println!("{}", out.summary);
    let logits = out.oof_predictions.to_vec::<f32>();
    let correct = logits
        .chunks(2)
        .zip(&sample.labels)
        .filter(|(l, y)| i64::from(l[1] > l[0]) == **y)
        .count();
    println!(
        "out-of-fold accuracy: {:.4} on {} reviews ({} folds) in {:.1} s",
        correct as f64 / sample.labels.len() as f64,
        sample.labels.len(),
        out.folds.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
