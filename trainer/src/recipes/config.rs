//! [`RecipeConfig`]: a `kiln.toml` file: `[data]` (a table with text and label columns, or
//! IMDB), `[model]` (the method and its settings) and `[training]` (Hugging Face's
//! `TrainingArguments`). Every error names the key and its line.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::embeddings::EmbeddingsSettings;
use super::error::RecipeError;
use super::tfidf::TfidfSettings;
use super::transformer::TransformerSettings;
use crate::training::args::TrainingArguments;
use crate::training::error::ArgsError;

/// Where a recipe's labelled texts come from (`[data]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataConfig {
    /// A dataset `kiln fetch` knows instead of files: `"imdb"` (balanced samples of the
    /// 50,000 labelled reviews).
    pub dataset: Option<String>,
    /// The training table: `.csv`, `.tsv` or `.jsonl`, relative to the config file.
    pub train: Option<PathBuf>,
    /// The test table; without it, `test_size` of `train` is held out (stratified).
    pub test: Option<PathBuf>,
    /// Fraction held out for testing when there is no `test` table.
    pub test_size: f64,
    /// The column holding the texts.
    pub text_column: String,
    /// The column holding the labels (class names, class ids or booleans).
    pub label_column: String,
    /// Use at most this many training texts.
    pub max_train: Option<usize>,
    /// Use at most this many test texts.
    pub max_test: Option<usize>,
    /// Seed of the split and of the IMDB sample.
    pub seed: u64,
}

impl Default for DataConfig {
    fn default() -> Self {
        DataConfig {
            dataset: None,
            train: None,
            test: None,
            test_size: 0.2,
            text_column: "text".into(),
            label_column: "label".into(),
            max_train: None,
            max_test: None,
            seed: 42,
        }
    }
}

/// The method of a recipe and its settings (`[model]`, chosen by `method`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "method", rename_all = "lowercase")]
pub enum ModelConfig {
    /// TF-IDF features and a linear classifier (the seeds' Approach 1).
    Tfidf(TfidfSettings),
    /// Frozen sentence embeddings and a logistic regression (Approach 2).
    Embeddings(EmbeddingsSettings),
    /// A fine-tuned or from-scratch transformer (Approaches 3 and 4).
    Transformer(TransformerSettings),
}

impl ModelConfig {
    /// A short name of the method for tables and folders.
    pub fn method_name(&self) -> &'static str {
        match self {
            ModelConfig::Tfidf(_) => "tfidf",
            ModelConfig::Embeddings(_) => "embeddings",
            ModelConfig::Transformer(_) => "transformer",
        }
    }
}

/// A whole `kiln.toml`.
#[derive(Clone, Debug)]
pub struct RecipeConfig {
    /// `[data]`.
    pub data: DataConfig,
    /// `[model]`.
    pub model: ModelConfig,
    /// `[training]`: `TrainingArguments` (`output_dir` is where everything is written).
    pub training: TrainingArguments,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    data: DataConfig,
    model: toml::Table,
    #[serde(default)]
    training: Option<toml::Table>,
}

impl RecipeConfig {
    /// Reads `path`; relative data and model paths are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<RecipeConfig, RecipeError> {
        let text = std::fs::read_to_string(path).map_err(|source| RecipeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        RecipeConfig::from_toml_str(&text, base).map_err(|e| match e {
            RecipeError::Config {
                path: None,
                message,
            } => RecipeError::Config {
                path: Some(path.to_path_buf()),
                message,
            },
            other => other,
        })
    }

    /// Parses TOML text; relative paths are joined to `base`.
    pub fn from_toml_str(text: &str, base: &Path) -> Result<RecipeConfig, RecipeError> {
        let file: ConfigFile =
            toml::from_str(text).map_err(|e| config_error(describe_toml(&e, text)))?;
        let training = match file.training {
            Some(table) => TrainingArguments::from_toml_table(table)
                .map_err(|e| config_error(describe_args(&e, text)))?,
            None => TrainingArguments::default(),
        };
        let mut config = RecipeConfig {
            data: file.data,
            model: model_config(file.model, text)?,
            training,
        };
        config.rebase(base);
        config.check().map_err(config_error)?;
        Ok(config)
    }

    /// Joins the relative data and model paths to `base`.
    fn rebase(&mut self, base: &Path) {
        let join = |p: &mut PathBuf| {
            if p.is_relative() && base.join(&*p).exists() {
                *p = base.join(&*p);
            }
        };
        for path in [&mut self.data.train, &mut self.data.test]
            .into_iter()
            .flatten()
        {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        }
        match &mut self.model {
            ModelConfig::Embeddings(s) => join(&mut s.pretrained),
            ModelConfig::Transformer(s) => {
                if let Some(p) = &mut s.pretrained {
                    join(p);
                }
            }
            ModelConfig::Tfidf(_) => {}
        }
    }

    /// Checks what the sections cannot check alone.
    fn check(&self) -> Result<(), String> {
        let d = &self.data;
        match (&d.dataset, &d.train) {
            (Some(_), Some(_)) => {
                return Err("[data] has both `dataset` and `train`; give one".into());
            }
            (None, None) => {
                return Err("[data] needs `train = \"FILE.csv\"` (or `dataset = \"imdb\"`)".into());
            }
            _ => {}
        }
        if d.dataset.is_some() && d.test.is_some() {
            return Err("[data] `test` goes with `train`, not with `dataset`".into());
        }
        if !(d.test_size > 0.0 && d.test_size < 1.0) {
            return Err(format!(
                "[data] test_size must be in (0, 1), got {}",
                d.test_size
            ));
        }
        if let ModelConfig::Transformer(t) = &self.model {
            if t.pretrained.is_some() == t.from_scratch.is_some() {
                return Err("[model] needs exactly one of `pretrained = \"DIR\"` and a \
                            `[model.from_scratch]` table"
                    .into());
            }
            if t.max_length < 2 {
                return Err(format!(
                    "[model] max_length must be at least 2, got {}",
                    t.max_length
                ));
            }
        }
        Ok(())
    }
}

/// The `[model]` table as the settings of its `method`, each error naming its key and line.
fn model_config(mut table: toml::Table, text: &str) -> Result<ModelConfig, RecipeError> {
    let method = match table.remove("method") {
        Some(toml::Value::String(m)) => m,
        Some(other) => {
            return Err(config_error(at_key(
                text,
                "model",
                "method",
                &format!("must be a string, not {}", other.type_str()),
            )));
        }
        None => {
            return Err(config_error(
                "[model] needs `method = \"tfidf\"`, `\"embeddings\"` or `\"transformer\"`".into(),
            ));
        }
    };
    Ok(match method.as_str() {
        "tfidf" => ModelConfig::Tfidf(keyed(table, "model", text)?),
        "embeddings" => ModelConfig::Embeddings(keyed(table, "model", text)?),
        "transformer" => ModelConfig::Transformer(keyed(table, "model", text)?),
        other => {
            return Err(config_error(at_key(
                text,
                "model",
                "method",
                &format!("unknown method `{other}`: tfidf, embeddings or transformer"),
            )));
        }
    })
}

/// `table` (the section `section` of `text`) deserialised as `T`; on failure each key is
/// tried alone, so the error names the unknown or ill-typed key and its line.
fn keyed<T: serde::de::DeserializeOwned>(
    table: toml::Table,
    section: &str,
    text: &str,
) -> Result<T, RecipeError> {
    let whole_error = match table.clone().try_into::<T>() {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    for (key, value) in table {
        let mut single = toml::Table::new();
        single.insert(key.clone(), value);
        if let Err(e) = single.try_into::<T>() {
            return Err(config_error(at_key(
                text,
                section,
                &key,
                e.message().trim(),
            )));
        }
    }
    Err(config_error(format!(
        "[{section}] {}",
        whole_error.message().trim()
    )))
}

/// "line L: [section] key: message" (without the line when the key is not found).
fn at_key(text: &str, section: &str, key: &str, message: &str) -> String {
    let line = line_of_key(text, section, key)
        .or_else(|| line_of_section(text, &format!("{section}.{key}")));
    match line {
        Some(line) => format!("line {line}: [{section}] {key}: {message}"),
        None => format!("[{section}] {key}: {message}"),
    }
}

/// The 1-based line of the `[section]` header.
fn line_of_section(text: &str, section: &str) -> Option<usize> {
    let header = format!("[{section}]");
    text.lines().position(|l| l.trim() == header).map(|i| i + 1)
}

fn config_error(message: String) -> RecipeError {
    RecipeError::Config {
        path: None,
        message,
    }
}

/// toml's message on one line: "line L, column C: …".
fn describe_toml(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => format!("{}: {message}", position_of(text, span.start)),
        None => message,
    }
}

/// A `TrainingArguments` error with the line of the key it names in `[training]`.
fn describe_args(e: &ArgsError, text: &str) -> String {
    let key = match e {
        ArgsError::UnknownKey { key, .. }
        | ArgsError::WrongType { key, .. }
        | ArgsError::Invalid { key, .. } => Some(key.as_str()),
        _ => None,
    };
    match key.and_then(|k| line_of_key(text, "training", k)) {
        Some(line) => format!("line {line}: [training] {e}"),
        None => format!("[training] {e}"),
    }
}

/// "line L, column C" of byte `offset` in `text`.
fn position_of(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("line {line}, column {column}")
}

/// The 1-based line where `key = …` is set inside `[section]`.
fn line_of_key(text: &str, section: &str, key: &str) -> Option<usize> {
    let header = format!("[{section}]");
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            inside = trimmed == header;
            continue;
        }
        if inside
            && let Some((name, _)) = trimmed.split_once('=')
            && name.trim().trim_matches('"') == key
        {
            return Some(i + 1);
        }
    }
    None
}
