//! RoBERTa's position ids (transformers' `RobertaEmbeddings.create_position_ids_from_input_ids`):
//! the embeddings themselves are [`BertEmbeddings`] with a `padding_idx` on the position table.

use kiln_tensor::{DType, Tensor};

/// Position ids `[B, L]` for int64 `input_ids` `[B, L]`: each non-padding token gets
/// `padding_idx + 1 +` the number of non-padding tokens before it in its row, each padding
/// token gets `padding_idx` (transformers' `create_position_ids_from_input_ids` with no past
/// key values). The result is on the ids' device.
///
/// [`BertEmbeddings`]: crate::models::bert::BertEmbeddings
pub fn create_position_ids_from_input_ids(input_ids: &Tensor, padding_idx: usize) -> Tensor {
    let dims = input_ids.dims().to_vec();
    let len = dims.last().copied().unwrap_or(0).max(1);
    let pad = padding_idx as i64;
    let ids = input_ids.to_dtype(DType::I64).to_vec::<i64>();
    let mut positions = Vec::with_capacity(ids.len());
    for row in ids.chunks(len) {
        let mut count = 0i64;
        for &id in row {
            if id == pad {
                positions.push(pad);
            } else {
                count += 1;
                positions.push(pad + count);
            }
        }
    }
    Tensor::from_vec(positions, dims).to_device(&input_ids.device())
}
