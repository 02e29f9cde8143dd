//! Shared helpers of the integration tests.

use std::path::PathBuf;

/// The cache folder holding `name`, or `None` (after printing why) when it is missing and
/// `KILN_REQUIRE_DATA` is not `1`; panics when it is missing and the data is required.
#[allow(dead_code)]
pub fn data_dir(name: &str, marker: &str) -> Option<PathBuf> {
    let dir = kiln_data::datasets::cache_dir().map(|c| c.join(name));
    if let Some(dir) = dir.filter(|d| d.join(marker).exists()) {
        return Some(dir);
    }
    if std::env::var("KILN_REQUIRE_DATA").as_deref() == Ok("1") {
        panic!(
            "dataset {name} is required (KILN_REQUIRE_DATA=1) but missing; run `cargo xtask fetch {name}`"
        );
    }
    eprintln!("skipped: run `cargo xtask fetch {name}`");
    None
}
