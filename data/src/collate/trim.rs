//! The seeds' `collate(input_ids, attention_mask)`: cut padding columns no row uses.

use kiln_tensor::{DType, Tensor};

/// Trims `[B, L]` `input_ids` and `attention_mask` to the longest real sequence of the
/// batch, `mask_len = attention_mask.sum(axis=1).max()`, returning
/// `(input_ids[:, :mask_len], attention_mask[:, :mask_len])` as views (the seeds'
/// `collate` for right-padded batches). Panics when the shapes differ or are not 2-D.
pub fn trim_to_longest(input_ids: &Tensor, attention_mask: &Tensor) -> (Tensor, Tensor) {
    assert!(
        input_ids.dim() == 2 && input_ids.shape() == attention_mask.shape(),
        "trim_to_longest: expected two [B, L] tensors of one shape, got {} and {}",
        input_ids.shape(),
        attention_mask.shape()
    );
    let (rows, cols) = (attention_mask.dims()[0], attention_mask.dims()[1]);
    let mask = attention_mask.to_dtype(DType::I64).to_vec::<i64>();
    let longest = (0..rows)
        .map(|r| mask[r * cols..(r + 1) * cols].iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .clamp(0, cols as i64) as usize;
    (
        input_ids.narrow(1, 0, longest),
        attention_mask.narrow(1, 0, longest),
    )
}
