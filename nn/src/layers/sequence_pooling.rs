//! Sentence-embedding pooling modules over token states and an attention mask, as
//! sentence-transformers' `Pooling` and the seeds' `MeanPooling` class.

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::functional::{cls_pooling, max_pooling, mean_pooling};
use crate::{Module, Visitor};

/// Declares a parameter-free pooling module over `(hidden [B, L, H], attention_mask [B, L])`.
macro_rules! pooling {
    ($(#[$doc:meta])* $name:ident, |$h:ident, $m:ident| $body:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl $name {
            /// `hidden [B, L, H]`, `attention_mask [B, L]` (1 = real token) → `[B, H]`.
            pub fn forward(&self, $h: &Var, $m: &Tensor) -> Var {
                $body
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

pooling!(
    /// Mean of the real tokens' states, `Σ h·m / clamp(Σ m, min=1e-9)` (the seeds'
    /// `MeanPooling`).
    MeanPooling,
    |hidden, mask| mean_pooling(hidden, mask)
);
pooling!(
    /// Maximum over the real tokens' states (`pooling_mode_max_tokens`).
    MaxPooling,
    |hidden, mask| max_pooling(hidden, mask)
);
pooling!(
    /// The first (`[CLS]`) token's state (`pooling_mode_cls_token`); the mask is ignored and
    /// taken only so all three poolings have the same signature.
    ClsPooling,
    |hidden, _mask| cls_pooling(hidden)
);
