//! Scaled dot-product attention for inference, `softmax(q·kᵀ·scale + mask)·v`, without
//! materialising the `[…, Lq, Lk]` score tensor.
//!
//! Why: the composed ops write the scores, read them back to add the mask, write the sum, read
//! it for the softmax, write the probabilities and read them once more for the product with
//! `v`. At BERT's sequence length 512 that is 100 MB per layer moved five times. Here each
//! task takes one batch entry (a sequence and head) and walks its query rows in blocks of
//! [`QUERY_BLOCK`]: the block's scores, mask, softmax and product with `v` stay in a buffer
//! of `QUERY_BLOCK × Lk` elements that fits in L2 (PyTorch's CPU `sdpa` works the same way).
//! The arithmetic is the composed one, step for step (scaled query, one product, mask add,
//! the softmax rows kernel, one product), so results agree to rounding.

use rayon::prelude::*;

use crate::cpu::buffer_pool;
use crate::cpu::gemm::{Gemm, MatRef};
use crate::cpu::strided::for_each_row;
use crate::dtype::{DType, Element};
use crate::layout::Layout;
use crate::ops::softmax::SoftmaxRow;
use crate::shape::Shape;
use crate::tensor::Tensor;

/// Query rows per block: 64 rows × 512 keys of f32 are 128 KiB of scores.
const QUERY_BLOCK: usize = 64;

/// The strided `[batch…, rows, cols]` operand `layout` as a matrix at storage offset `offset`.
fn matrix<'a, T>(data: &'a [T], layout: &Layout, offset: usize) -> MatRef<'a, T> {
    let s = layout.strides();
    let n = s.len();
    MatRef {
        data,
        offset,
        row_stride: s[n - 2],
        col_stride: s[n - 1],
    }
}

/// The CPU kernel for one float type: the `[batch, Lq, dv]` row-major output.
fn attention_cpu<T: Element + Gemm + SoftmaxRow>(
    q: &Tensor,
    k: &Tensor,
    v: &Tensor,
    mask: Option<&Layout>,
    mask_data: Option<&Tensor>,
    batch: &[usize],
) -> Vec<T> {
    let (sq, lq) = q.typed::<T>("scaled_dot_product_attention");
    let (sk, lk) = k.typed::<T>("scaled_dot_product_attention");
    let (sv, lv) = v.typed::<T>("scaled_dot_product_attention");
    let sm = mask_data.map(|m| m.typed::<T>("scaled_dot_product_attention").0);
    let nb = batch.len();
    let (len_q, d) = (lq.dims()[nb], lq.dims()[nb + 1]);
    let (len_k, dv) = (lk.dims()[nb], lv.dims()[nb + 1]);
    let count: usize = batch.iter().product();

    let mut offsets = Vec::with_capacity(count);
    let zeros = vec![0; nb];
    let mask_strides = mask.map_or(&zeros[..], |m| &m.strides()[..nb]);
    for_each_row(
        batch,
        [
            &lq.strides()[..nb],
            &lk.strides()[..nb],
            &lv.strides()[..nb],
            mask_strides,
        ],
        [
            lq.offset(),
            lk.offset(),
            lv.offset(),
            mask.map_or(0, Layout::offset),
        ],
        0..count,
        |_, o| offsets.push(o),
    );

    let mut out = buffer_pool::scratch(count * len_q * dv, T::default());
    if out.is_empty() {
        return out;
    }
    let one_entry = |(b, out): (usize, &mut [T])| {
        let [oq, ok, ov, om] = offsets[b];
        let rows_max = QUERY_BLOCK.min(len_q);
        let mut scores = vec![T::default(); rows_max * len_k];
        let mut probs = vec![T::default(); rows_max * len_k];
        // kᵀ as a `[d, Lk]` matrix: k's strides swapped.
        let key = matrix(sk, lk, ok);
        let key_t = MatRef {
            row_stride: key.col_stride,
            col_stride: key.row_stride,
            ..key
        };
        let value = matrix(sv, lv, ov);
        for r0 in (0..len_q).step_by(QUERY_BLOCK) {
            let rows = QUERY_BLOCK.min(len_q - r0);
            let query = matrix(sq, lq, oq);
            let query = MatRef {
                offset: oq + r0 * query.row_stride,
                ..query
            };
            let scores = &mut scores[..rows * len_k];
            T::gemm((rows, len_k, d), query, key_t, scores, 1);
            if let (Some(m), Some(md)) = (mask, sm) {
                let s = m.strides();
                let (row_stride, col_stride) = (s[nb], s[nb + 1]);
                for (i, row) in scores.chunks_exact_mut(len_k).enumerate() {
                    let base = om + (r0 + i) * row_stride;
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = *x + md[base + j * col_stride];
                    }
                }
            }
            let probs = &mut probs[..rows * len_k];
            T::rows(scores, probs, len_k, false);
            let probs_ref = MatRef {
                data: &probs[..],
                offset: 0,
                row_stride: len_k,
                col_stride: 1,
            };
            let dst = &mut out[r0 * dv..(r0 + rows) * dv];
            T::gemm((rows, dv, len_k), probs_ref, value, dst, 1);
        }
    };
    out.par_chunks_mut(len_q * dv)
        .enumerate()
        .with_min_len(1)
        .for_each(one_entry);
    out
}

impl Tensor {
    /// `softmax(query · keyᵀ · scale + attn_mask) · value` over the last two dims
    /// (`torch.nn.functional.scaled_dot_product_attention` with a float `attn_mask`, no
    /// dropout, not causal): `query` `[…, Lq, d]`, `key` `[…, Lk, d]`, `value` `[…, Lk, dv]`
    /// with the same batch dims, `attn_mask` broadcastable to `[…, Lq, Lk]` and added to the
    /// scores; `scale` defaults to `1/√d`. Returns `[…, Lq, dv]`.
    ///
    /// On the CPU in f32 and f64 the scores are never stored whole (see the module docs): use
    /// it for inference, where nothing needs the attention probabilities. Other dtypes and
    /// devices run the composed ops. Panics naming the shapes when they do not fit.
    pub fn scaled_dot_product_attention(
        &self,
        key: &Tensor,
        value: &Tensor,
        attn_mask: Option<&Tensor>,
        scale: Option<f64>,
    ) -> Tensor {
        let op = "scaled_dot_product_attention";
        let n = self.dim();
        assert!(
            n >= 2 && key.dim() == n && value.dim() == n,
            "{op}: query, key and value need the same rank ≥ 2, got shapes {}, {} and {}",
            self.shape(),
            key.shape(),
            value.shape()
        );
        let batch = &self.dims()[..n - 2];
        let (len_q, d) = (self.dims()[n - 2], self.dims()[n - 1]);
        let len_k = key.dims()[n - 2];
        assert!(
            &key.dims()[..n - 2] == batch
                && &value.dims()[..n - 2] == batch
                && key.dims()[n - 1] == d
                && value.dims()[n - 2] == len_k,
            "{op}: query {}, key {} and value {} do not fit [..., Lq, d], [..., Lk, d], [..., Lk, dv]",
            self.shape(),
            key.shape(),
            value.shape()
        );
        let scale = scale.unwrap_or(1.0 / (d as f64).sqrt());
        let scores_shape = Shape::new(batch.iter().copied().chain([len_q, len_k]).collect());
        let mask = attn_mask.map(|m| {
            m.layout().broadcast_to(&scores_shape).unwrap_or_else(|| {
                panic!(
                    "{op}: attn_mask of shape {} does not broadcast to the scores {scores_shape}",
                    m.shape()
                )
            })
        });
        let fused = self.device().is_cpu()
            && matches!(self.dtype(), DType::F32 | DType::F64)
            && [key, value]
                .iter()
                .chain(attn_mask.as_ref())
                .all(|t| t.dtype() == self.dtype() && t.device().is_cpu());
        if !fused {
            let mut scores = self.mul_scalar(scale).matmul(&key.transpose(-1i64, -2i64));
            if let Some(m) = attn_mask {
                scores = scores.add(m);
            }
            return scores.softmax(-1i64).matmul(value);
        }
        let query = self.mul_scalar(scale);
        let out_shape: Vec<usize> = batch
            .iter()
            .copied()
            .chain([len_q, value.dims()[n - 1]])
            .collect();
        match self.dtype() {
            DType::F32 => Tensor::from_vec(
                attention_cpu::<f32>(&query, key, value, mask.as_ref(), attn_mask, batch),
                out_shape,
            ),
            _ => Tensor::from_vec(
                attention_cpu::<f64>(&query, key, value, mask.as_ref(), attn_mask, batch),
                out_shape,
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{DType, Device, Generator, Tensor};

    fn composed(q: &Tensor, k: &Tensor, v: &Tensor, mask: Option<&Tensor>) -> Tensor {
        let d = *q.dims().last().unwrap() as f64;
        let mut s = q
            .mul_scalar(1.0 / d.sqrt())
            .matmul(&k.transpose(-1i64, -2i64));
        if let Some(m) = mask {
            s = s.add(m);
        }
        s.softmax(-1i64).matmul(v)
    }

    fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
        assert_eq!(a.dims(), b.dims());
        a.to_vec::<f64>()
            .iter()
            .zip(b.to_vec::<f64>())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max)
    }

    #[test]
    fn equals_the_composed_ops_on_head_views_with_a_padding_mask() {
        let mut g = Generator::new(3);
        // [B, L, heads·d] split into heads [B, heads, L, d] as BERT does: strided views.
        // L = 70 spans two query blocks.
        let (b, l, heads, d) = (3, 70, 4, 8);
        let heads_of = |t: Tensor| {
            t.reshape(&[b as isize, l as isize, heads as isize, d as isize])
                .permute(&[0, 2, 1, 3])
        };
        let [q, k, v] = [0; 3].map(|_| {
            heads_of(Tensor::randn_from(
                [b, l, heads * d],
                DType::F32,
                &Device::Cpu,
                &mut g,
            ))
        });
        // Sequence 1 has 20 padding positions, sequence 2 is all padding.
        let mut m = vec![0f32; b * l];
        m[l + 50..2 * l].fill(f32::MIN);
        m[2 * l..].fill(f32::MIN);
        let mask = Tensor::from_vec(m, [b, 1, 1, l]);
        let fused = q.scaled_dot_product_attention(&k, &v, Some(&mask), None);
        let want = composed(&q, &k, &v, Some(&mask));
        assert_eq!(fused.dims(), &[b, heads, l, d]);
        assert!(
            max_diff(&fused, &want) < 1e-6,
            "{}",
            max_diff(&fused, &want)
        );
        assert!(fused.to_vec::<f32>().iter().all(|x| x.is_finite()));
        let unmasked = q.scaled_dot_product_attention(&k, &v, None, None);
        assert!(max_diff(&unmasked, &composed(&q, &k, &v, None)) < 1e-6);
    }

    #[test]
    fn f64_other_lengths_and_scale() {
        let mut g = Generator::new(5);
        let q = Tensor::randn_from([2, 5, 3], DType::F64, &Device::Cpu, &mut g);
        let k = Tensor::randn_from([2, 9, 3], DType::F64, &Device::Cpu, &mut g);
        let v = Tensor::randn_from([2, 9, 4], DType::F64, &Device::Cpu, &mut g);
        let out = q.scaled_dot_product_attention(&k, &v, None, Some(0.5));
        let want = q
            .mul_scalar(0.5)
            .matmul(&k.transpose(-1i64, -2i64))
            .softmax(-1i64)
            .matmul(&v);
        assert_eq!(out.dims(), &[2, 5, 4]);
        assert!(max_diff(&out, &want) < 1e-12);
    }

    #[test]
    #[should_panic(expected = "do not fit")]
    fn mismatched_shapes_panic_naming_them() {
        let q = Tensor::zeros([2, 5, 3]);
        let k = Tensor::zeros([2, 6, 4]);
        let _ = q.scaled_dot_product_attention(&k, &k, None, None);
    }
}
