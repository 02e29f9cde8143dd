//! Where a recipe's data and pretrained folders come from: files, or the datasets and models
//! `kiln fetch` knows (fetched into the cache on first use, saying so).

use std::path::{Path, PathBuf};

use kiln_data::datasets::Imdb;
use kiln_tensor::Generator;

use super::config::DataConfig;
use super::error::RecipeError;
use super::text_data::{TextDataset, balanced_sample, shuffle};

/// Training texts drawn from IMDB when `[data]` gives no `max_train`.
pub const IMDB_DEFAULT_TRAIN: usize = 20_000;
/// Test texts drawn from IMDB when `[data]` gives no `max_test`.
pub const IMDB_DEFAULT_TEST: usize = 2_000;

/// `path` when it exists; else, when it is the bare name of a model `kiln fetch` knows
/// (`"minilm"`), that model's cache folder, fetched first if needed. Anything else is a
/// [`RecipeError::Model`] saying the folder is missing.
pub fn resolve_pretrained(
    path: &Path,
    on_message: &mut dyn FnMut(&str),
) -> Result<PathBuf, RecipeError> {
    if path.exists() {
        return Ok(path.to_path_buf());
    }
    let name = path.to_str().unwrap_or("");
    if path.components().count() == 1 && kiln_hub::find(name).is_some() {
        return kiln_hub::ensure_named(name, on_message).map_err(|e| RecipeError::model(path, e));
    }
    Err(RecipeError::model(
        path,
        "no such folder (give a Hugging Face model folder, or a name `kiln fetch` knows, e.g. \
         \"minilm\")",
    ))
}

/// The training and test texts `[data]` describes.
pub fn load_data(
    config: &DataConfig,
    on_message: &mut dyn FnMut(&str),
) -> Result<(TextDataset, TextDataset), RecipeError> {
    if let Some(name) = &config.dataset {
        return load_named(config, name, on_message);
    }
    let train_path = config
        .train
        .as_ref()
        .ok_or_else(|| RecipeError::data("[data]", "no `train` table given"))?;
    let train = TextDataset::read(train_path, &config.text_column, &config.label_column)?;
    let (train, test) = match &config.test {
        Some(test_path) => {
            let test = TextDataset::read(test_path, &config.text_column, &config.label_column)?;
            let test = test.relabel(&train.label_names, &test_path.display().to_string())?;
            (train, test)
        }
        None => train.split(config.test_size, config.seed)?,
    };
    Ok((
        at_most(train, config.max_train, config.seed),
        at_most(test, config.max_test, config.seed),
    ))
}

fn load_named(
    config: &DataConfig,
    name: &str,
    on_message: &mut dyn FnMut(&str),
) -> Result<(TextDataset, TextDataset), RecipeError> {
    if name != "imdb" {
        return Err(RecipeError::data(
            "[data]",
            format!("unknown dataset `{name}`: `imdb`, or give `train = \"FILE.csv\"`"),
        ));
    }
    let dir = kiln_hub::ensure_named(name, on_message)
        .map_err(|e| RecipeError::data(name, e.to_string()))?;
    let imdb = Imdb::load_from(&dir).map_err(|e| RecipeError::data(name, e.to_string()))?;
    balanced_sample(
        imdb.texts(),
        imdb.labels(),
        config.max_train.unwrap_or(IMDB_DEFAULT_TRAIN),
        config.max_test.unwrap_or(IMDB_DEFAULT_TEST),
        config.seed,
    )
}

/// A random `max` of the texts (all of them, in their order, without a limit).
fn at_most(data: TextDataset, max: Option<usize>, seed: u64) -> TextDataset {
    match max {
        Some(max) if max < data.len() => {
            let mut order: Vec<usize> = (0..data.len()).collect();
            shuffle(&mut order, &mut Generator::new(seed));
            order.truncate(max);
            data.select(&order)
        }
        _ => data,
    }
}
