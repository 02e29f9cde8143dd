//! Fully connected layer (`nn.Linear`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::init::{FanMode, Nonlinearity, kaiming_uniform_, uniform_};
use crate::module::repr::py_bool;
use crate::{Forward, Module, Visitor};

/// `y = x·Wᵀ + b` over the last dim (`nn.Linear`). `weight` is `[out_features, in_features]`
/// and `bias` `[out_features]`, laid out as in PyTorch so checkpoints load unchanged.
pub struct Linear {
    /// `[out_features, in_features]`, initialised U(−1/√in, 1/√in) (`kaiming_uniform_(a=√5)`).
    pub weight: Var,
    /// `[out_features]`, initialised U(−1/√in, 1/√in); `None` for `bias=False`.
    pub bias: Option<Var>,
    in_features: usize,
    out_features: usize,
}

impl Linear {
    /// A layer with PyTorch's default initialisation, in f32 on the CPU
    /// (`nn.Linear(in_features, out_features, bias)`).
    pub fn new(in_features: usize, out_features: usize, bias: bool) -> Linear {
        let weight = Var::parameter(Tensor::zeros([out_features, in_features]));
        kaiming_uniform_(
            &weight,
            FanMode::FanIn,
            Nonlinearity::LeakyRelu(5f64.sqrt()),
        );
        let bias = bias.then(|| {
            let b = Var::parameter(Tensor::zeros([out_features]));
            let bound = if in_features > 0 {
                1.0 / (in_features as f64).sqrt()
            } else {
                0.0
            };
            uniform_(&b, -bound, bound);
            b
        });
        Linear {
            weight,
            bias,
            in_features,
            out_features,
        }
    }

    /// A layer whose parameters are the given tensors: `weight` `[out_features, in_features]`
    /// and an optional `bias` `[out_features]` (for weights that come from elsewhere, such as a
    /// checkpoint). Panics when the shapes do not fit together.
    pub fn from_weights(weight: Tensor, bias: Option<Tensor>) -> Linear {
        assert!(
            weight.dim() == 2,
            "Linear::from_weights: weight must be [out_features, in_features], got {}",
            weight.shape()
        );
        let (out_features, in_features) = (weight.dims()[0], weight.dims()[1]);
        if let Some(b) = &bias {
            assert!(
                b.dims() == [out_features],
                "Linear::from_weights: bias must be [{out_features}], got {}",
                b.shape()
            );
        }
        Linear {
            weight: Var::parameter(weight),
            bias: bias.map(Var::parameter),
            in_features,
            out_features,
        }
    }

    /// Size of each input sample (last dim of the input).
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Size of each output sample.
    pub fn out_features(&self) -> usize {
        self.out_features
    }
}

impl Forward for Linear {
    /// `input` `[*, in_features]` → `[*, out_features]` (`F.linear`).
    fn forward(&self, input: &Var) -> Var {
        let y = input.matmul(&self.weight.t());
        match &self.bias {
            Some(b) => y.add(b),
            None => y,
        }
    }
}

impl Module for Linear {
    fn type_name(&self) -> String {
        "Linear".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        visitor.parameter("weight", &self.weight);
        if let Some(b) = &self.bias {
            visitor.parameter("bias", b);
        }
    }

    fn extra_repr(&self) -> String {
        format!(
            "in_features={}, out_features={}, bias={}",
            self.in_features,
            self.out_features,
            py_bool(self.bias.is_some())
        )
    }
}
