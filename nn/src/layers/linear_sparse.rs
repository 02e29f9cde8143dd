//! A [`Linear`] layer applied to sparse CSR inputs (TF-IDF features).

use kiln_autograd::{Var, sparse_matmul};
use kiln_tensor::CsrTensor;

use super::Linear;

impl Linear {
    /// `y = x·Wᵀ + b` for a sparse CSR batch `x` `[batch, in_features]`, giving a dense
    /// `[batch, out_features]` (what `nn.Linear` computes when handed a `torch.sparse_csr`
    /// input, via `torch.sparse.mm(x, weight.t()) + bias`). `x` is data: gradients flow to the
    /// weight (`xᵀ·∂L/∂y`, without densifying `x`) and the bias only. `x`'s values must have the
    /// weight's dtype (f32 or f64). Panics naming the shapes when `x` has another number of
    /// columns than `in_features`.
    pub fn forward_sparse(&self, x: &CsrTensor) -> Var {
        assert_eq!(
            x.cols(),
            self.in_features(),
            "Linear.forward_sparse: input [{}, {}] does not match in_features={}",
            x.rows(),
            x.cols(),
            self.in_features()
        );
        let y = sparse_matmul(x, &self.weight.t());
        match &self.bias {
            Some(b) => y.add(b),
            None => y,
        }
    }
}
