//! Lookup table (`nn.Embedding`).

use kiln_autograd::{Var, no_grad};
use kiln_tensor::Tensor;

use crate::init::normal_;
use crate::{Module, Visitor};

/// Maps int64 ids to rows of a learnable `[num_embeddings, embedding_dim]` table
/// (`nn.Embedding`). The optional `padding_idx` row starts at zero and gets no gradient.
pub struct Embedding {
    /// `[num_embeddings, embedding_dim]`, initialised N(0, 1).
    pub weight: Var,
    padding_idx: Option<usize>,
}

impl Embedding {
    /// `nn.Embedding(num_embeddings, embedding_dim)` in f32.
    pub fn new(num_embeddings: usize, embedding_dim: usize) -> Embedding {
        let weight = Var::parameter(Tensor::zeros([num_embeddings, embedding_dim]));
        normal_(&weight, 0.0, 1.0);
        Embedding {
            weight,
            padding_idx: None,
        }
    }

    /// `nn.Embedding(…, padding_idx=idx)`: zeroes that row now and excludes it from gradients.
    /// Panics when `idx` is out of range, as PyTorch does.
    pub fn with_padding_idx(mut self, idx: usize) -> Embedding {
        let rows = self.num_embeddings();
        assert!(
            idx < rows,
            "padding_idx {idx} must be within num_embeddings {rows}"
        );
        self.padding_idx = Some(idx);
        self.zero_padding_row();
        self
    }

    /// A table holding `weight` `[num_embeddings, embedding_dim]` as its parameter
    /// (`nn.Embedding.from_pretrained(weight, freeze=False)`). Panics unless `weight` is 2-D.
    pub fn from_weight(weight: Tensor) -> Embedding {
        assert!(
            weight.dim() == 2,
            "Embedding::from_weight: weight must be [num_embeddings, embedding_dim], got {}",
            weight.shape()
        );
        Embedding {
            weight: Var::parameter(weight),
            padding_idx: None,
        }
    }

    /// Sets the `padding_idx` row to zeros (after a re-initialisation, as transformers'
    /// `_init_weights` does); nothing without a padding index.
    pub fn zero_padding_row(&self) {
        let Some(idx) = self.padding_idx else {
            return;
        };
        let table = self.weight.value();
        let _guard = no_grad();
        let is_pad = Tensor::arange(0i64, table.dims()[0] as i64, 1)
            .eq_scalar(idx as i64)
            .reshape_to(vec![table.dims()[0], 1]);
        self.weight.set_value(table.masked_fill(&is_pad, 0.0));
    }

    /// Number of rows.
    pub fn num_embeddings(&self) -> usize {
        self.weight.dims()[0]
    }

    /// Width of each row.
    pub fn embedding_dim(&self) -> usize {
        self.weight.dims()[1]
    }

    /// The row that receives no gradient, if any.
    pub fn padding_idx(&self) -> Option<usize> {
        self.padding_idx
    }

    /// Rows for int64 `ids` of any shape → `[*ids.shape, embedding_dim]` (`F.embedding`).
    pub fn forward(&self, ids: &Tensor) -> Var {
        self.weight.embedding_padded(ids, self.padding_idx)
    }
}

impl Module for Embedding {
    fn type_name(&self) -> String {
        "Embedding".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        visitor.parameter("weight", &self.weight);
    }

    fn extra_repr(&self) -> String {
        let mut s = format!("{}, {}", self.num_embeddings(), self.embedding_dim());
        if let Some(idx) = self.padding_idx {
            s.push_str(&format!(", padding_idx={idx}"));
        }
        s
    }
}
