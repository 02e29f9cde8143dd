//! Layers with PyTorch's names, parameter names, defaults and printed form.

/// Implements `Display` as the module's PyTorch repr for built-in layers.
macro_rules! module_display {
    ($($name:ty),* $(,)?) => {
        $(impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::Module::repr(self))
            }
        })*
    };
}
pub(crate) use module_display;

mod activation;
mod batch_norm;
mod conv;
mod dropout;
mod embedding;
mod flatten;
mod layer_norm;
mod linear;
mod linear_sparse;
mod module_list;
mod pool;
mod sequence_pooling;
mod sequential;

pub use activation::{GELU, GeluApproximate, ReLU, SiLU, Sigmoid, Softmax, Tanh};
pub use batch_norm::BatchNorm1d;
pub use conv::{Conv1d, Conv2d};
pub use dropout::Dropout;
pub use embedding::Embedding;
pub use flatten::Flatten;
pub use layer_norm::LayerNorm;
pub use linear::Linear;
pub use module_list::ModuleList;
pub(crate) use module_list::ModuleListView;
pub use pool::{AvgPool2d, MaxPool2d};
pub use sequence_pooling::{ClsPooling, MaxPooling, MeanPooling};
pub use sequential::Sequential;

module_display!(
    AvgPool2d,
    BatchNorm1d,
    Conv1d,
    Conv2d,
    Dropout,
    Embedding,
    Flatten,
    GELU,
    LayerNorm,
    Linear,
    MaxPool2d,
    Sequential,
    Softmax,
);
