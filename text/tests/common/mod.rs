//! Helpers shared by the tokenizer integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The Kiln data cache: `$KILN_CACHE`, else `$HOME/.cache/kiln`.
pub fn cache_dir() -> PathBuf {
    match std::env::var_os("KILN_CACHE") {
        Some(p) => PathBuf::from(p),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/kiln"),
    }
}

/// `CACHE/name/file` if it exists. Otherwise prints a skip line and returns `None`, or panics
/// when `KILN_REQUIRE_DATA=1` (set by `cargo xtask test`).
pub fn data_file(name: &str, file: &str) -> Option<PathBuf> {
    let p = cache_dir().join(name).join(file);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("KILN_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!("{} is missing: run `cargo xtask fetch {name}`", p.display());
    }
    eprintln!(
        "skipped: run `cargo xtask fetch {name}` ({} is missing)",
        p.display()
    );
    None
}

/// Path of a file in `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The IMDB review texts from `CACHE/imdb/reviews.json`, or `None` (see [`data_file`]).
pub fn imdb_reviews() -> Option<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Review {
        t: String,
    }
    let p = data_file("imdb", "reviews.json")?;
    let bytes = std::fs::read(p).expect("read reviews.json");
    let v: Vec<Review> = serde_json::from_slice(&bytes).expect("parse reviews.json");
    Some(v.into_iter().map(|r| r.t).collect())
}

fn join<T: ToString>(v: impl IntoIterator<Item = T>) -> String {
    v.into_iter()
        .map(|x| x.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// First 16 hex digits of sha256(`s`), as the gen scripts write them.
pub fn sha16(s: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(s.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The gen scripts' digest of a single-text encoding (no overflow):
/// `ids;type_ids;attention_mask;special_tokens_mask;word_ids;offsets` in character units.
pub fn single_digest(e: &kiln_text::Encoding, text: &str) -> String {
    let words = e.word_ids().iter().map(|w| w.map_or(-1, i64::from));
    let offs = e.char_offsets(text).into_iter().flat_map(|o| [o.0, o.1]);
    let s = [
        join(e.ids()),
        join(e.type_ids()),
        join(e.attention_mask()),
        join(e.special_tokens_mask()),
        join(words),
        join(offs),
    ]
    .join(";");
    sha16(&s)
}
