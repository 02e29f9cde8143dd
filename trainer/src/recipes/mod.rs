//! The seeds' text-classification methods as recipes a `kiln.toml` describes and the `kiln`
//! program runs: TF-IDF + a linear classifier ([`TfidfClassifier`]), frozen sentence
//! embeddings + logistic regression ([`EmbeddingsClassifier`]), and a transformer fine-tuned
//! from a pretrained folder or trained from scratch with its own WordPiece tokenizer
//! ([`train_transformer`]). Each trains on a [`TextDataset`], is scored on held-out texts
//! ([`Scores`]: accuracy, ROC AUC, F1, texts per second) and writes a report.
//!
//! ```no_run
//! use std::path::Path;
//! use kiln_trainer::recipes::{RecipeConfig, load_data, run_recipe};
//!
//! let config = RecipeConfig::from_file(Path::new("trainer/configs/tfidf.toml"))?;
//! let (train, test) = load_data(&config.data, &mut |m| eprintln!("{m}"))?;
//! let outcome = run_recipe(&config, &train, &test, &mut |m| eprintln!("{m}"))?;
//! println!("accuracy {:.4}", outcome.scores.accuracy);
//! # Ok::<(), kiln_trainer::recipes::RecipeError>(())
//! ```

mod classifier;
mod config;
mod embeddings;
mod encode;
mod error;
mod run;
mod scratch;
mod sources;
mod text_data;
mod tfidf;
mod transformer;

/// Classes a label column may hold: beyond any real label set, small enough that a corrupt
/// table cannot make a classifier allocate without bound.
pub const MAX_CLASSES: usize = 1 << 16;

pub use classifier::{Scores, TextClassifier, argmax, score};
pub use config::{DataConfig, ModelConfig, RecipeConfig};
pub use embeddings::{EmbeddingsClassifier, EmbeddingsSettings, embed, load_encoder};
pub use encode::{
    length_sorted_batches, mean_pooled_embeddings, padded_batch, token_ids, truncating,
};
pub use error::RecipeError;
pub use run::{METRICS_FILE, MODEL_DIR, RecipeOutcome, run_recipe};
pub use scratch::{SPECIAL_TOKENS, ScratchSettings, bert_wordpiece_setup, train_wordpiece};
pub use sources::{IMDB_DEFAULT_TEST, IMDB_DEFAULT_TRAIN, load_data, resolve_pretrained};
pub use text_data::{TextDataset, balanced_sample, clean_review, shuffle};
pub use tfidf::{TfidfClassifier, TfidfSettings, to_csr_tensor};
pub use transformer::{TransformerRun, TransformerSettings, train_transformer};
