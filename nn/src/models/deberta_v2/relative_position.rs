//! DeBERTa's relative positions (transformers' `build_relative_position` and
//! `make_log_bucket_position` in `modeling_deberta_v2`), with the same integer and float32
//! arithmetic, so every bucket equals transformers'.

use kiln_tensor::Tensor;

/// The bucket of the relative position `relative_pos` (query index minus key index), as
/// transformers' `make_log_bucket_position(relative_pos, bucket_size, max_position)`:
/// distances below `bucket_size / 2` keep their value; longer ones are mapped to
/// `sign · (ceil(log(|d| / mid) / log((max_position − 1) / mid) · (mid − 1)) + mid)` with
/// `mid = bucket_size / 2`, computed in float32 like PyTorch and truncated to an integer.
///
/// `bucket_size` must be at least 2 and `max_position − 1` larger than `bucket_size / 2`
/// ([`super::DebertaV2Config::validate`] checks both); callers pass validated values.
pub fn make_log_bucket_position(relative_pos: i64, bucket_size: usize, max_position: usize) -> i64 {
    let mid = (bucket_size / 2) as i64;
    let sign = relative_pos.signum();
    let abs_pos = if relative_pos < mid && relative_pos > -mid {
        mid - 1
    } else {
        relative_pos.abs()
    };
    if abs_pos <= mid {
        return relative_pos;
    }
    // PyTorch: `abs_pos / mid` is a float32 true division of two integer tensors;
    // `(max_position - 1) / mid` a Python float turned into a float32 tensor.
    let ratio = abs_pos as f32 / mid as f32;
    let base = ((max_position as f64 - 1.0) / mid as f64) as f32;
    let log_pos = (ratio.ln() / base.ln() * (mid - 1) as f32).ceil() + mid as f32;
    (log_pos * sign as f32) as i64
}

/// The bucketed relative position of every query against every key,
/// `out[i][j] = bucket(i − j)` as an int64 `[query_size, key_size]` tensor (transformers'
/// `build_relative_position` without its leading unit dim). Without buckets (`None`) the
/// distances are kept as they are.
pub fn build_relative_position(
    query_size: usize,
    key_size: usize,
    buckets: Option<(usize, usize)>,
) -> Tensor {
    // `bucket(i - j)` depends only on the difference: compute each of the
    // `query_size + key_size - 1` distinct values once.
    let offset = key_size as i64 - 1;
    let table: Vec<i64> = (-(key_size as i64 - 1)..query_size as i64)
        .map(|d| match buckets {
            Some((bucket_size, max_position)) => {
                make_log_bucket_position(d, bucket_size, max_position)
            }
            None => d,
        })
        .collect();
    let mut out = Vec::with_capacity(query_size * key_size);
    for i in 0..query_size as i64 {
        for j in 0..key_size as i64 {
            out.push(table[(i - j + offset) as usize]);
        }
    }
    Tensor::from_vec(out, [query_size, key_size])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_distances_keep_their_value_and_long_ones_saturate_slowly() {
        // bucket_size 8 (mid 4), max_position 16: log(d/4)/log(15/4)·3 + 4.
        for d in -4..=4 {
            assert_eq!(make_log_bucket_position(d, 8, 16), d);
        }
        assert_eq!(make_log_bucket_position(15, 8, 16), 7);
        assert_eq!(make_log_bucket_position(-15, 8, 16), -7);
        // log(5/4)/log(15/4)·3 = 0.506 → ceil 1 → 5.
        assert_eq!(make_log_bucket_position(5, 8, 16), 5);
        assert!(make_log_bucket_position(100, 8, 16) > 7);
    }

    #[test]
    fn the_table_is_toeplitz_in_query_minus_key() {
        let t = build_relative_position(5, 5, None).to_vec::<i64>();
        assert_eq!(&t[..5], &[0, -1, -2, -3, -4]);
        assert_eq!(t[5 * 4], 4);
        let b = build_relative_position(40, 40, Some((8, 16))).to_vec::<i64>();
        assert_eq!(b[39 * 40], make_log_bucket_position(39, 8, 16));
        assert_eq!(b[39], make_log_bucket_position(-39, 8, 16));
    }
}
