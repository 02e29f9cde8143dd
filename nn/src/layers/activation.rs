//! Activation modules (`nn.ReLU`, `nn.GELU`, `nn.Sigmoid`, `nn.Tanh`, `nn.SiLU`, `nn.Softmax`):
//! parameter-free wrappers of the matching `Var` ops, printed as PyTorch prints them.

use kiln_autograd::Var;

use crate::{Forward, Module, Visitor};

/// Declares a parameter-free activation module calling one `Var` method.
macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl Forward for $name {
            fn forward(&self, input: &Var) -> Var {
                input.$method()
            }
        }

        impl Module for $name {
            fn type_name(&self) -> String {
                stringify!($name).into()
            }

            fn visit(&self, _visitor: &mut dyn Visitor) {}
        }

        crate::layers::module_display!($name);
    };
}

activation!(
    /// `max(x, 0)` (`nn.ReLU`).
    ReLU,
    relu
);
activation!(
    /// `1 / (1 + e^−x)` (`nn.Sigmoid`).
    Sigmoid,
    sigmoid
);
activation!(
    /// Hyperbolic tangent (`nn.Tanh`).
    Tanh,
    tanh
);
activation!(
    /// `x·σ(x)` (`nn.SiLU`, a.k.a. swish).
    SiLU,
    silu
);

/// Which GELU formula [`GELU`] uses (`approximate=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GeluApproximate {
    /// Exact `x·Φ(x)` with the error function (`'none'`, the default).
    #[default]
    None,
    /// The tanh approximation (`'tanh'`), as in the original BERT and GPT-2.
    Tanh,
}

/// Gaussian error linear unit (`nn.GELU(approximate=…)`).
#[derive(Debug, Clone, Copy, Default)]
pub struct GELU {
    /// The formula; exact by default.
    pub approximate: GeluApproximate,
}

impl GELU {
    /// `nn.GELU(approximate)`.
    pub fn new(approximate: GeluApproximate) -> GELU {
        GELU { approximate }
    }
}

impl Forward for GELU {
    fn forward(&self, input: &Var) -> Var {
        match self.approximate {
            GeluApproximate::None => input.gelu(),
            GeluApproximate::Tanh => input.gelu_tanh(),
        }
    }
}

impl Module for GELU {
    fn type_name(&self) -> String {
        "GELU".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        let name = match self.approximate {
            GeluApproximate::None => "none",
            GeluApproximate::Tanh => "tanh",
        };
        format!("approximate='{name}'")
    }
}

/// Softmax along `dim` (`nn.Softmax(dim)`).
#[derive(Debug, Clone, Copy)]
pub struct Softmax {
    /// The dimension that sums to one; negative counts from the end.
    pub dim: i64,
}

impl Softmax {
    /// `nn.Softmax(dim=dim)`.
    pub fn new(dim: i64) -> Softmax {
        Softmax { dim }
    }
}

impl Forward for Softmax {
    fn forward(&self, input: &Var) -> Var {
        input.softmax(self.dim)
    }
}

impl Module for Softmax {
    fn type_name(&self) -> String {
        "Softmax".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        format!("dim={}", self.dim)
    }
}
