//! Stateless differentiable functions on `Var`s, mirroring `torch.nn.functional`.
//!
//! Losses take `(input, target, …)` in PyTorch's argument order. Those with at most a reduction
//! and one more setting take them as plain arguments (`mse_loss(x, y, Reduction::Mean)`,
//! `smooth_l1_loss(x, y, Reduction::Mean, 1.0)`); those with more take an options struct whose
//! `Default` equals PyTorch's defaults and which has `with_*` builders
//! (`cross_entropy(x, y, &CrossEntropyOptions::default().with_label_smoothing(0.1))`).
//!
//! ```
//! use kiln_autograd::Var;
//! use kiln_nn::functional::{CrossEntropyOptions, cross_entropy};
//! use kiln_tensor::tensor;
//!
//! let logits = Var::parameter(tensor![[1.5, 1.1]]);
//! let loss = cross_entropy(&logits, &Var::constant(tensor![1i64]), &CrossEntropyOptions::default());
//! assert!((loss.value().item::<f32>() - 0.9130).abs() < 1e-4);
//! ```

mod attention;
mod bce_with_logits;
mod binary_cross_entropy;
mod conv;
mod cross_entropy;
mod kl_div;
mod l1_loss;
mod mse_loss;
mod nll_loss;
mod reduction;
mod sequence_pooling;
mod smooth_l1_loss;

pub use attention::{extended_attention_mask, scaled_dot_product_attention};
pub use bce_with_logits::{BceWithLogitsOptions, binary_cross_entropy_with_logits};
pub use binary_cross_entropy::binary_cross_entropy;
pub use conv::{avg_pool1d, avg_pool2d, conv1d, conv2d, max_pool1d, max_pool2d};
pub use cross_entropy::{CrossEntropyOptions, cross_entropy};
pub use kiln_tensor::{Conv1dOptions, Conv2dOptions, Pool1dOptions, Pool2dOptions};
pub use kl_div::kl_div;
pub use l1_loss::l1_loss;
pub use mse_loss::mse_loss;
pub use nll_loss::{NllLossOptions, nll_loss};
pub use reduction::{KlDivReduction, Reduction};
pub use sequence_pooling::{cls_pooling, max_pooling, mean_pooling};
pub use smooth_l1_loss::{huber_loss, smooth_l1_loss};
