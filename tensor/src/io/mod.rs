//! Reading and writing tensors from the outside world. Everything here returns `Result` with
//! a typed error; malformed input never panics.

mod bulk_copy;
mod codec;
mod error;
mod header;
pub mod safetensors;

pub use error::SafetensorsError;
