//! Differentiable indexing: index_select, gather, embedding lookup, masking, where.

use kiln_tensor::{Dim, Tensor};

use crate::graph::record;
use crate::ops::sum_to;
use crate::var::Var;

/// Scatter-adds `g` into zeros shaped like `input` at the positions `index` (same shape as `g`).
fn scatter_grad(input: &Tensor, dim: usize, index: &Tensor, g: &Tensor) -> Tensor {
    input
        .zeros_like()
        .scatter_add(dim, index, &g.to_dtype(input.dtype()))
}

impl Var {
    /// Rows (or slices) of `dim` picked by int64 `index` (`torch.index_select`); repeated
    /// indices accumulate their gradients.
    pub fn index_select(&self, dim: impl Dim, index: &Tensor) -> Var {
        let x = self.value();
        let d = dim.resolve(x.dim(), "index_select");
        let idx = index.clone();
        record(
            "IndexSelectBackward0",
            x.index_select(d, index),
            &[self],
            move |g| {
                // Expand the 1-D index along every other dim so it matches g's shape.
                let mut shape = vec![1usize; g.dim()];
                shape[d] = idx.numel();
                let full = idx.reshape_to(shape).broadcast_to(g.shape()).contiguous();
                vec![Some(scatter_grad(&x, d, &full, g))]
            },
        )
    }

    /// Values at `index` along `dim` (`torch.gather`).
    pub fn gather(&self, dim: impl Dim, index: &Tensor) -> Var {
        let x = self.value();
        let d = dim.resolve(x.dim(), "gather");
        let idx = index.clone();
        record("GatherBackward0", x.gather(d, index), &[self], move |g| {
            vec![Some(scatter_grad(&x, d, &idx, g))]
        })
    }

    /// Embedding lookup: rows of this `[num_embeddings, dim]` table for int64 `ids` of any shape,
    /// giving `[*ids.shape, dim]` (`F.embedding`).
    pub fn embedding(&self, ids: &Tensor) -> Var {
        self.embedding_padded(ids, None)
    }

    /// [`Var::embedding`] where the row `padding_idx`, if given, receives no gradient
    /// (`F.embedding(ids, weight, padding_idx=…)`); repeated ids accumulate their gradients.
    pub fn embedding_padded(&self, ids: &Tensor, padding_idx: Option<usize>) -> Var {
        let table = self.value();
        assert_eq!(
            table.dim(),
            2,
            "embedding: weight must be 2-D, got {}",
            table.shape()
        );
        let width = table.dims()[1];
        let flat = ids.reshape(&[-1]);
        let mut out_dims = ids.dims().to_vec();
        out_dims.push(width);
        let value = table.index_select(0, &flat).reshape_to(out_dims);
        let (num_weights, dtype, ids) = (table.dims()[0], table.dtype(), ids.clone());
        record("EmbeddingBackward0", value, &[self], move |g| {
            let grad = g.to_dtype(dtype);
            vec![Some(grad.embedding_dense_backward(
                &ids,
                num_weights,
                padding_idx,
            ))]
        })
    }

    /// Sets elements where the bool `mask` is true to `value` (`masked_fill`); no gradient flows
    /// through the filled positions.
    pub fn masked_fill(&self, mask: &Tensor, value: f64) -> Var {
        let x = self.value();
        let m = mask.clone();
        record(
            "MaskedFillBackward0",
            x.masked_fill(mask, value),
            &[self],
            move |g| vec![Some(sum_to(&g.masked_fill(&m, 0.0), &x))],
        )
    }

    /// `condition ? a : b` elementwise with broadcasting (`torch.where`).
    pub fn where_(condition: &Tensor, a: &Var, b: &Var) -> Var {
        let (av, bv) = (a.value(), b.value());
        let cond = condition.clone();
        record(
            "WhereBackward0",
            Tensor::where_(condition, &av, &bv),
            &[a, b],
            move |g| {
                let zero = g.zeros_like();
                vec![
                    Some(sum_to(&Tensor::where_(&cond, g, &zero), &av)),
                    Some(sum_to(&Tensor::where_(&cond, &zero, g), &bv)),
                ]
            },
        )
    }
}
