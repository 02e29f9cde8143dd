//! The `hidden_act` / `activation` key of Hugging Face configs (transformers' `ACT2FN`).

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

/// A feed-forward activation named as in transformers' `ACT2FN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HiddenAct {
    /// `"gelu"`: exact GELU, `x·Φ(x)` with erf (`nn.GELU()`).
    #[default]
    #[serde(rename = "gelu")]
    Gelu,
    /// `"gelu_new"`: the tanh approximation of GELU (GPT-2's `NewGELUActivation`).
    #[serde(rename = "gelu_new")]
    GeluNew,
    /// `"gelu_pytorch_tanh"`: `nn.GELU(approximate="tanh")`, the same function as `gelu_new`.
    #[serde(rename = "gelu_pytorch_tanh")]
    GeluPytorchTanh,
    /// `"relu"`.
    #[serde(rename = "relu")]
    Relu,
    /// `"silu"` (also read as `"swish"`): `x·σ(x)`.
    #[serde(rename = "silu", alias = "swish")]
    Silu,
    /// `"tanh"`.
    #[serde(rename = "tanh")]
    Tanh,
}

impl HiddenAct {
    /// Applies the activation elementwise.
    pub fn forward(self, x: &Var) -> Var {
        match self {
            HiddenAct::Gelu => x.gelu(),
            HiddenAct::GeluNew | HiddenAct::GeluPytorchTanh => x.gelu_tanh(),
            HiddenAct::Relu => x.relu(),
            HiddenAct::Silu => x.silu(),
            HiddenAct::Tanh => x.tanh(),
        }
    }
}
