//! Differentiable matrix products with PyTorch's `matmul` rules.

use kiln_tensor::Tensor;

use crate::autocast::autocast_dtype;
use crate::graph::record;
use crate::ops::sum_to;
use crate::var::Var;

impl Var {
    /// Matrix product with PyTorch's rules (1-D operands promoted, batched, broadcast batch
    /// dims) (`torch.matmul`). Gradients are summed back over broadcast batch dims.
    ///
    /// Under [`autocast`](crate::autocast) both float operands are cast to the autocast dtype
    /// first and the product is in that dtype.
    pub fn matmul(&self, other: &Var) -> Var {
        if let Some(half) = autocast_dtype() {
            let (da, db) = (self.value().dtype(), other.value().dtype());
            if da.is_float() && db.is_float() && (da != half || db != half) {
                return self.to_dtype(half).matmul(&other.to_dtype(half));
            }
        }
        let (a, b) = (self.value(), other.value());
        let (ta, tb) = (self.tracks(), other.tracks());
        let out = a.matmul(&b);
        let out_dtype = out.dtype();
        record("MmBackward0", out, &[self, other], move |g| {
            // A gradient that arrives wider than the product (f32 into an autocast f16
            // product) is multiplied in the product's dtype.
            let widened;
            let g = if g.dtype() != out_dtype {
                widened = g.to_dtype(out_dtype);
                &widened
            } else {
                g
            };
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
                let full = product_like(&g2, &b2.transpose(-1i64, -2i64), &a2);
                sum_to(&full, &a2).reshape_to(a.dims().to_vec())
            });
            let gb = tb.then(|| {
                let full = if b2.dim() == 2 && a2.dim() > 2 {
                    // A shared matrix (`Linear`'s weight under a batch of sequences): fold the
                    // batch into the rows, one product instead of a product per batch entry
                    // summed afterwards.
                    let (k, n) = (b2.dims()[0] as isize, b2.dims()[1] as isize);
                    let a_rows = a2.reshape(&[-1, k]);
                    product_like(
                        &a_rows.transpose(0usize, 1usize),
                        &g2.reshape(&[-1, n]),
                        &b2,
                    )
                } else {
                    product_like(&a2.transpose(-1i64, -2i64), &g2, &b2)
                };
                sum_to(&full, &b2).reshape_to(b.dims().to_vec())
            });
            vec![ga, gb]
        })
    }
}

/// `l · r`, computed as `(rᵀ · lᵀ)ᵀ` when `like` (the operand the product is the gradient of)
/// is a transposed view, so that the gradient has that operand's memory layout, as PyTorch's
/// `mm_mat1_backward` / `mm_mat2_backward` do. The gradient of a weight used as `w.t()` (inside
/// `Linear`) then comes out contiguous like `w` itself, and optimizers update it without a copy.
fn product_like(l: &Tensor, r: &Tensor, like: &Tensor) -> Tensor {
    let transposed =
        like.dim() >= 2 && !like.is_contiguous() && like.transpose(-1i64, -2i64).is_contiguous();
    if transposed {
        r.transpose(-1i64, -2i64)
            .matmul(&l.transpose(-1i64, -2i64))
            .transpose(-1i64, -2i64)
    } else {
        l.matmul(r)
    }
}
