//! Differentiable matrix products with PyTorch's `matmul` rules.

use crate::graph::record;
use crate::ops::sum_to;
use crate::var::Var;

impl Var {
    /// Matrix product with PyTorch's rules (1-D operands promoted, batched, broadcast batch
    /// dims) (`torch.matmul`). Gradients are summed back over broadcast batch dims.
    pub fn matmul(&self, other: &Var) -> Var {
        let (a, b) = (self.value(), other.value());
        let (ta, tb) = (self.tracks(), other.tracks());
        record("MmBackward0", a.matmul(&b), &[self, other], move |g| {
            // View 1-D operands as matrices and the gradient to match: [.., m, n].
            let a2 = if a.dim() == 1 {
                a.unsqueeze(0usize)
            } else {
                a.clone()
            };
            let b2 = if b.dim() == 1 {
                b.unsqueeze(1usize)
            } else {
                b.clone()
            };
            let mut g2 = g.clone();
            if b.dim() == 1 {
                g2 = g2.unsqueeze(g2.dim());
            }
            if a.dim() == 1 {
                g2 = g2.unsqueeze(g2.dim() - 1);
            }
            let ga = ta.then(|| {
                let full = g2.matmul(&b2.transpose(-1i64, -2i64));
                sum_to(&full, &a2).reshape_to(a.dims().to_vec())
            });
            let gb = tb.then(|| {
                let full = a2.transpose(-1i64, -2i64).matmul(&g2);
                sum_to(&full, &b2).reshape_to(b.dims().to_vec())
            });
            vec![ga, gb]
        })
    }
}
