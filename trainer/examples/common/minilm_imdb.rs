//! Shared by the MiniLM examples (`embeddings`, `bert_features_logreg`, `finetune_minilm`)
//! and their test: a balanced, shuffled IMDB sample, tokenization with truncation, padded
//! batches sorted by length, and frozen mean-pooled sentence embeddings.
#![allow(dead_code)] // each example uses part of it

use std::collections::HashSet;
use std::error::Error;
use std::path::PathBuf;

use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::transfer::{l2_normalize, mean_pooled_features};
use kiln_nn::models::{BertModel, EncoderInput};
use kiln_tensor::{Generator, Tensor};
use kiln_text::Tokenizer;
use kiln_text::utils::truncation::TruncationParams;

/// The MiniLM folder: `$KILN_CACHE/minilm`, else `~/.cache/kiln/minilm`
/// (`cargo xtask fetch minilm`).
pub fn minilm_dir() -> PathBuf {
    let cache = match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    };
    cache.join("minilm")
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

/// IMDB's `<br />` line breaks become spaces.
pub fn clean(text: &str) -> String {
    text.replace("<br />", " ")
}

/// Fisher–Yates shuffle driven by `generator`.
pub fn shuffle<T>(items: &mut [T], generator: &mut Generator) {
    for i in (1..items.len()).rev() {
        let j = (generator.next_u64() % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// `n_train` training and `n_test` held-out reviews, half of each class (the extra one of an
/// odd count is positive), cleaned with [`clean`]: each class's reviews are shuffled with
/// `seed`, exact duplicates (IMDB has 418) are skipped so no text is in both parts, and each
/// part is shuffled again so the classes interleave. Panics when a class has too few reviews.
pub fn balanced_sample(
    texts: &[String],
    labels: &[i64],
    n_train: usize,
    n_test: usize,
    seed: u64,
) -> Sample {
    let mut generator = Generator::new(seed);
    let mut seen = HashSet::new();
    let mut train = Vec::with_capacity(n_train);
    let mut test = Vec::with_capacity(n_test);
    for class in [0i64, 1] {
        let mut idx: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        shuffle(&mut idx, &mut generator);
        let take_train = if class == 0 {
            n_train / 2
        } else {
            n_train - n_train / 2
        };
        let take_test = if class == 0 {
            n_test / 2
        } else {
            n_test - n_test / 2
        };
        let mut unique = idx
            .into_iter()
            .map(|i| clean(&texts[i]))
            .filter(|t| seen.insert(t.clone()));
        for _ in 0..take_train {
            train.push((unique.next().expect("enough reviews of each class"), class));
        }
        for _ in 0..take_test {
            test.push((unique.next().expect("enough reviews of each class"), class));
        }
    }
    shuffle(&mut train, &mut generator);
    shuffle(&mut test, &mut generator);
    let (train_texts, train_labels) = train.into_iter().unzip();
    let (test_texts, test_labels) = test.into_iter().unzip();
    Sample {
        train_texts,
        train_labels,
        test_texts,
        test_labels,
    }
}

/// Token ids of every text with `[CLS]`/`[SEP]`, truncated to `max_length` tokens
/// (`tokenizer(texts, truncation=True, max_length=max_length)`), unpadded.
pub fn tokenize(
    tokenizer: &Tokenizer,
    texts: &[String],
    max_length: usize,
) -> Result<Vec<Vec<u32>>, Box<dyn Error>> {
    let tokenizer = tokenizer
        .clone()
        .try_with_truncation(Some(TruncationParams {
            max_length,
            ..TruncationParams::default()
        }))?;
    Ok(tokenizer
        .encode_batch(texts, true)?
        .iter()
        .map(|e| e.ids().to_vec())
        .collect())
}

/// The sequences `rows` of `ids` padded with id 0 to the longest of them, with the attention
/// mask (`DataCollatorWithPadding`).
pub fn padded_batch(ids: &[Vec<u32>], rows: &[usize]) -> EncoderInput {
    let len = rows.iter().map(|&r| ids[r].len()).max().unwrap_or(0);
    let mut input_ids = vec![0i64; rows.len() * len];
    let mut mask = vec![0i64; rows.len() * len];
    for (b, &r) in rows.iter().enumerate() {
        for (t, &id) in ids[r].iter().enumerate() {
            input_ids[b * len + t] = i64::from(id);
            mask[b * len + t] = 1;
        }
    }
    EncoderInput::new(Tensor::from_vec(input_ids, [rows.len(), len]))
        .with_attention_mask(Tensor::from_vec(mask, [rows.len(), len]))
}

/// Row indices in batches of `batch_size`, longest sequences first, so each batch pads
/// little.
pub fn length_sorted_batches(ids: &[Vec<u32>], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
    order.chunks(batch_size).map(<[usize]>::to_vec).collect()
}

/// Frozen sentence embeddings, `[n, hidden]` f32 in the order of `ids`: the encoder in eval
/// mode without gradients, mask-aware mean pooling of the last layer and L2 normalisation
/// (sentence-transformers' all-MiniLM-L6-v2 pipeline), in length-sorted batches.
pub fn mean_pooled_embeddings(model: &BertModel, ids: &[Vec<u32>], batch_size: usize) -> Tensor {
    model.eval();
    let _guard = no_grad();
    let hidden = model.config().hidden_size;
    let mut out = vec![0f32; ids.len() * hidden];
    for rows in length_sorted_batches(ids, batch_size) {
        let input = padded_batch(ids, &rows);
        let output = model.forward(&input);
        let mask = input
            .attention_mask
            .as_ref()
            .expect("padded_batch sets a mask");
        let features = l2_normalize(&mean_pooled_features(&output, mask))
            .value()
            .to_vec::<f32>();
        for (b, &r) in rows.iter().enumerate() {
            out[r * hidden..(r + 1) * hidden]
                .copy_from_slice(&features[b * hidden..(b + 1) * hidden]);
        }
    }
    Tensor::from_vec(out, [ids.len(), hidden])
}
