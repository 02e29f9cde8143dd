//! Where `cargo xtask fetch` puts datasets.

use std::path::PathBuf;

/// The data cache: `$KILN_CACHE` if set and non-empty, else `$HOME/.cache/kiln`; `None`
/// when neither variable is set.
pub fn cache_dir() -> Option<PathBuf> {
    match std::env::var_os("KILN_CACHE") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache").join("kiln")),
    }
}
