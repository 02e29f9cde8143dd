//! Shared by the MiniLM examples (`embeddings`, `bert_features_logreg`, `finetune_minilm`)
//! and their test: the MiniLM folder, and [`kiln_trainer::recipes`]' balanced IMDB sample,
//! tokenization with truncation, padded batches sorted by length and frozen, L2-normalised
//! mean-pooled sentence embeddings, in the shapes the examples use.
#![allow(dead_code)] // each example uses part of it

use std::error::Error;
use std::path::PathBuf;

use kiln_nn::models::{BertModel, EncoderInput};
use kiln_tensor::Tensor;
use kiln_text::Tokenizer;
use kiln_trainer::recipes;

/// The MiniLM folder: `$KILN_CACHE/minilm`, else `~/.cache/kiln/minilm`
/// (`cargo xtask fetch minilm`).
pub fn minilm_dir() -> PathBuf {
    kiln_hub::cache_dir()
        .expect("set KILN_CACHE or HOME to find the kiln cache")
        .join("minilm")
}

/// Reviews with 0 / 1 labels for training and for held-out evaluation.
pub struct Sample {
    /// Training texts, classes interleaved.
    pub train_texts: Vec<String>,
    /// Their labels.
    pub train_labels: Vec<i64>,
    /// Held-out texts.
    pub test_texts: Vec<String>,
    /// Their labels.
    pub test_labels: Vec<i64>,
}

/// `n_train` training and `n_test` held-out reviews drawn by
/// [`recipes::balanced_sample`] with `seed`. Panics when a class has too few reviews.
pub fn balanced_sample(
    texts: &[String],
    labels: &[i64],
    n_train: usize,
    n_test: usize,
    seed: u64,
) -> Sample {
    let (train, test) = recipes::balanced_sample(texts, labels, n_train, n_test, seed)
        .unwrap_or_else(|e| panic!("{e}"));
    Sample {
        train_texts: train.texts,
        train_labels: train.labels,
        test_texts: test.texts,
        test_labels: test.labels,
    }
}

/// Token ids of every text with `[CLS]`/`[SEP]`, truncated to `max_length` tokens
/// (`tokenizer(texts, truncation=True, max_length=max_length)`), unpadded.
pub fn tokenize(
    tokenizer: &Tokenizer,
    texts: &[String],
    max_length: usize,
) -> Result<Vec<Vec<u32>>, Box<dyn Error>> {
    let tokenizer = recipes::truncating(tokenizer, max_length)?;
    Ok(recipes::token_ids(&tokenizer, texts)?)
}

/// The sequences `rows` of `ids` padded with id 0 (MiniLM's `[PAD]`) to the longest of them,
/// with the attention mask (`DataCollatorWithPadding`).
pub fn padded_batch(ids: &[Vec<u32>], rows: &[usize]) -> EncoderInput {
    recipes::padded_batch(ids, rows, 0)
}

/// Frozen, L2-normalised mean-pooled sentence embeddings, `[n, hidden]` f32 in the order of
/// `ids` (sentence-transformers' all-MiniLM-L6-v2 pipeline), in length-sorted batches.
pub fn mean_pooled_embeddings(model: &BertModel, ids: &[Vec<u32>], batch_size: usize) -> Tensor {
    recipes::mean_pooled_embeddings(model, ids, batch_size, true)
}
