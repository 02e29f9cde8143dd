//! Sparse tensors: the compressed-sparse-row layout (`torch.sparse_csr`) with sparse × dense
//! products, the input format of TF-IDF features.
//!
//! ```
//! use kiln_tensor::sparse::{CsrTensor, sparse_matmul};
//! use kiln_tensor::{tensor, Tensor};
//!
//! // [[1, 0, 2], [0, 0, 3]]
//! let a = CsrTensor::from_parts(
//!     vec![0, 2, 3],
//!     vec![0, 2, 2],
//!     Tensor::from_vec(vec![1.0f32, 2.0, 3.0], [3]),
//!     [2, 3],
//! )
//! .unwrap();
//! let b = tensor![[1.0, 1.0], [5.0, 5.0], [10.0, 0.0]];
//! assert_eq!(sparse_matmul(&a, &b).to_vec::<f32>(), vec![21.0, 1.0, 30.0, 0.0]);
//! assert_eq!(a.to_dense().to_vec::<f32>(), vec![1.0, 0.0, 2.0, 0.0, 0.0, 3.0]);
//! ```

mod csr;
mod dense;
mod error;
mod matmul;
mod rows;
mod value;

pub use csr::CsrTensor;
pub use error::SparseError;
pub use matmul::{sparse_matmul, sparse_t_matmul};
