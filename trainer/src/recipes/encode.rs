//! Texts to encoder inputs: tokenization with truncation, padded batches with an attention
//! mask, batches of similar lengths, and frozen mean-pooled sentence embeddings.

use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::transfer::{l2_normalize, mean_pooled_features};
use kiln_nn::models::{BertModel, EncoderInput};
use kiln_tensor::Tensor;
use kiln_text::Tokenizer;
use kiln_text::utils::truncation::TruncationParams;

use super::error::RecipeError;

/// `tokenizer` truncating to `max_length` tokens, special tokens included
/// (`tokenizer(…, truncation=True, max_length=max_length)`).
pub fn truncating(tokenizer: &Tokenizer, max_length: usize) -> Result<Tokenizer, RecipeError> {
    tokenizer
        .clone()
        .try_with_truncation(Some(TruncationParams {
            max_length,
            ..TruncationParams::default()
        }))
        .map_err(|e| RecipeError::run(format!("max_length {max_length}: {e}")))
}

/// Token ids of every text with the tokenizer's special tokens, unpadded.
pub fn token_ids<S: AsRef<str> + Sync>(
    tokenizer: &Tokenizer,
    texts: &[S],
) -> Result<Vec<Vec<u32>>, RecipeError> {
    Ok(tokenizer
        .encode_batch(texts, true)
        .map_err(RecipeError::run)?
        .iter()
        .map(|e| e.ids().to_vec())
        .collect())
}

/// The sequences `rows` of `ids` padded on the right with `pad_id` to the longest of them,
/// with the attention mask (`DataCollatorWithPadding`).
pub fn padded_batch(ids: &[Vec<u32>], rows: &[usize], pad_id: i64) -> EncoderInput {
    let len = rows.iter().map(|&r| ids[r].len()).max().unwrap_or(0);
    let mut input_ids = vec![pad_id; rows.len() * len];
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
/// little (`group_by_length` for inference).
pub fn length_sorted_batches(ids: &[Vec<u32>], batch_size: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..ids.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(ids[i].len()));
    order
        .chunks(batch_size.max(1))
        .map(<[usize]>::to_vec)
        .collect()
}

/// Frozen sentence embeddings, `[n, hidden]` f32 in the order of `ids`: the encoder in eval
/// mode without gradients, mask-aware mean pooling of the last layer and, with `normalize`,
/// L2 normalisation (sentence-transformers' all-MiniLM-L6-v2 pipeline), in length-sorted
/// batches.
pub fn mean_pooled_embeddings(
    model: &BertModel,
    ids: &[Vec<u32>],
    batch_size: usize,
    normalize: bool,
) -> Tensor {
    model.eval();
    let _guard = no_grad();
    let hidden = model.config().hidden_size;
    let pad = model.config().pad_token_id as i64;
    let mut out = vec![0f32; ids.len() * hidden];
    for rows in length_sorted_batches(ids, batch_size) {
        let input = padded_batch(ids, &rows, pad);
        let output = model.forward(&input);
        let mask = input
            .attention_mask
            .as_ref()
            .expect("padded_batch sets a mask");
        let pooled = mean_pooled_features(&output, mask);
        let features = if normalize {
            l2_normalize(&pooled)
        } else {
            pooled
        };
        let features = features.value().to_vec::<f32>();
        for (b, &r) in rows.iter().enumerate() {
            out[r * hidden..(r + 1) * hidden]
                .copy_from_slice(&features[b * hidden..(b + 1) * hidden]);
        }
    }
    Tensor::from_vec(out, [ids.len(), hidden])
}
