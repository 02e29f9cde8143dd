//! Layer normalisation (`nn.LayerNorm`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::module::repr::{py_bool, py_float, py_tuple};
use crate::{Forward, Module, Visitor};

/// Normalises over the trailing `normalized_shape` dims to zero mean and unit variance (biased),
/// then applies an elementwise affine map (`nn.LayerNorm(normalized_shape, eps=1e-5)`).
pub struct LayerNorm {
    /// Scale, `normalized_shape`, initialised to ones; `None` without `elementwise_affine`.
    pub weight: Option<Var>,
    /// Shift, `normalized_shape`, initialised to zeros; `None` without `elementwise_affine` or `bias`.
    pub bias: Option<Var>,
    normalized_shape: Vec<usize>,
    eps: f64,
}

impl LayerNorm {
    /// `nn.LayerNorm(normalized_shape)` with `eps = 1e-5` and a learnable affine map.
    pub fn new(normalized_shape: &[usize]) -> LayerNorm {
        LayerNorm::with_options(normalized_shape, 1e-5, true, true)
    }

    /// `nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)`; the bias exists only
    /// with `elementwise_affine` and `bias` both set.
    pub fn with_options(
        normalized_shape: &[usize],
        eps: f64,
        elementwise_affine: bool,
        bias: bool,
    ) -> LayerNorm {
        let shape = normalized_shape.to_vec();
        LayerNorm {
            weight: elementwise_affine.then(|| Var::parameter(Tensor::ones(shape.clone()))),
            bias: (elementwise_affine && bias)
                .then(|| Var::parameter(Tensor::zeros(shape.clone()))),
            normalized_shape: shape,
            eps,
        }
    }

    /// The epsilon added to the variance.
    pub fn eps(&self) -> f64 {
        self.eps
    }
}

impl Forward for LayerNorm {
    fn forward(&self, input: &Var) -> Var {
        input.layer_norm(
            &self.normalized_shape,
            self.weight.as_ref(),
            self.bias.as_ref(),
            self.eps,
        )
    }
}

impl Module for LayerNorm {
    fn type_name(&self) -> String {
        "LayerNorm".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        if let Some(w) = &self.weight {
            visitor.parameter("weight", w);
        }
        if let Some(b) = &self.bias {
            visitor.parameter("bias", b);
        }
    }

    fn extra_repr(&self) -> String {
        format!(
            "{}, eps={}, elementwise_affine={}, bias={}",
            py_tuple(&self.normalized_shape),
            py_float(self.eps),
            py_bool(self.weight.is_some()),
            py_bool(self.bias.is_some())
        )
    }
}
