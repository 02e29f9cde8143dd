//! Where fetched data and weights live: `$KILN_CACHE`, else `$HOME/.cache/kiln`.

use std::path::PathBuf;

use crate::error::{HubError, Result};

/// Environment variable that overrides the cache folder (also read by Kiln's tests).
pub const CACHE_ENV: &str = "KILN_CACHE";

/// The cache folder, from `KILN_CACHE` or `HOME` (the folder itself may not exist yet).
pub fn cache_dir() -> Result<PathBuf> {
    resolve(std::env::var_os(CACHE_ENV), std::env::var_os("HOME"))
}

fn resolve(
    kiln_cache: Option<std::ffi::OsString>,
    home: Option<std::ffi::OsString>,
) -> Result<PathBuf> {
    match (kiln_cache, home) {
        (Some(dir), _) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        (_, Some(home)) if !home.is_empty() => Ok(PathBuf::from(home).join(".cache").join("kiln")),
        _ => Err(HubError::Other(format!(
            "no cache folder: set {CACHE_ENV} or HOME"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kiln_cache_wins_over_home() {
        let dir = resolve(Some("/data/k".into()), Some("/home/u".into())).unwrap();
        assert_eq!(dir, PathBuf::from("/data/k"));
    }

    #[test]
    fn home_is_the_fallback() {
        let dir = resolve(Some("".into()), Some("/home/u".into())).unwrap();
        assert_eq!(dir, PathBuf::from("/home/u/.cache/kiln"));
        let dir = resolve(None, Some("/home/u".into())).unwrap();
        assert_eq!(dir, PathBuf::from("/home/u/.cache/kiln"));
    }

    #[test]
    fn neither_is_an_error() {
        assert!(resolve(None, None).is_err());
        assert!(resolve(Some("".into()), Some("".into())).is_err());
    }
}
