//! Real datasets from the `cargo xtask fetch` cache: IMDB reviews and Fashion-MNIST.
//!
//! The cache folder is `$KILN_CACHE` if set, else `$HOME/.cache/kiln`; each loader also
//! takes an explicit folder so users can point it at their own copy.

mod cache;
mod error;
mod fashion_mnist;
mod idx;
mod imdb;

pub use cache::cache_dir;
pub use error::DatasetError;
pub use fashion_mnist::{FashionMnist, Split};
pub use idx::{IdxArray, read_idx};
pub use imdb::Imdb;
