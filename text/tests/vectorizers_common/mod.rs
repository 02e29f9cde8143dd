//! Shared helpers of the vectorizer tests: the IMDB cache and fixtures.

// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;

/// `$KILN_CACHE`, else `$HOME/.cache/kiln`.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("KILN_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln")
        })
}

#[derive(serde::Deserialize)]
struct Review {
    t: String,
}

/// The texts of `imdb/reviews.json`, or `None` (with a "skipped" line) when
/// the cache is missing; with `KILN_REQUIRE_DATA=1` a missing cache fails.
pub fn imdb_reviews() -> Option<Vec<String>> {
    let path = cache_dir().join("imdb/reviews.json");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let reviews: Vec<Review> =
                serde_json::from_str(&text).expect("imdb/reviews.json is not valid");
            Some(reviews.into_iter().map(|r| r.t).collect())
        }
        Err(e) => {
            assert!(
                std::env::var("KILN_REQUIRE_DATA").as_deref() != Ok("1"),
                "KILN_REQUIRE_DATA=1 but {} is unreadable: {e}",
                path.display()
            );
            eprintln!(
                "skipped: run `cargo xtask fetch imdb` ({} missing)",
                path.display()
            );
            None
        }
    }
}

/// Reads a file of `tests/fixtures/`.
pub fn fixture(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
