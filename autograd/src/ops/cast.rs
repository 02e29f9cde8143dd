//! Differentiable dtype casts (`Tensor.to(dtype)`).

use kiln_tensor::DType;

use crate::graph::record;
use crate::var::Var;

impl Var {
    /// This value in `dtype` (`x.to(dtype)`); the gradient is cast back to the source dtype
    /// (`ToCopyBackward0`). A cast to the same dtype returns this `Var` itself.
    pub fn to_dtype(&self, dtype: DType) -> Var {
        let x = self.value();
        let source = x.dtype();
        if source == dtype {
            return self.clone();
        }
        record("ToCopyBackward0", x.to_dtype(dtype), &[self], move |g| {
            vec![Some(g.to_dtype(source))]
        })
    }
}
