//! Products of a constant sparse CSR matrix with a differentiable dense operand
//! (`torch.sparse.mm(sparse, dense)` with `dense.requires_grad`).

use kiln_tensor::CsrTensor;
use kiln_tensor::sparse::{sparse_matmul as sparse_mm, sparse_t_matmul};

use crate::graph::record;
use crate::var::Var;

/// `sparse · dense` for a constant CSR `sparse` `[m, k]` and `dense` `[k, n]`, giving `[m, n]`
/// (`torch.sparse.mm(sparse, dense)`). The gradient flows to `dense` only:
/// `∂L/∂dense = sparseᵀ · ∂L/∂out`, computed from the CSR layout without densifying anything
/// (the sparse operand is data, e.g. TF-IDF features, and gets no gradient).
///
/// ```
/// use kiln_autograd::{Var, sparse_matmul};
/// use kiln_tensor::{tensor, Tensor};
///
/// let x = tensor![[0.0, 2.0], [1.0, 0.0]].to_sparse_csr();
/// let w = Var::parameter(tensor![[1.0], [3.0]]);
/// let y = sparse_matmul(&x, &w);
/// assert_eq!(y.value().to_vec::<f32>(), vec![6.0, 1.0]);
/// y.sum().backward();
/// assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![1.0, 2.0]);
/// ```
pub fn sparse_matmul(sparse: &CsrTensor, dense: &Var) -> Var {
    let value = sparse_mm(sparse, &dense.value());
    let sparse = sparse.clone();
    record("SparseMmBackward0", value, &[dense], move |g| {
        vec![Some(sparse_t_matmul(&sparse, g))]
    })
}
