//! [`RecipeError`]: why a recipe (a config, its data, its model or its run) failed.

use std::fmt;
use std::path::PathBuf;

/// Everything that can stop a recipe, each naming what to fix.
#[derive(Debug)]
pub enum RecipeError {
    /// A file or folder could not be read or written.
    Io {
        /// The path.
        path: PathBuf,
        /// The operating-system error.
        source: std::io::Error,
    },
    /// The config file is not valid (syntax, an unknown or ill-typed key, a bad value); the
    /// message names the key and, where known, its line.
    Config {
        /// The config file, when the config came from one.
        path: Option<PathBuf>,
        /// What is wrong, with the key and line.
        message: String,
    },
    /// The data table could not be read or lacks what the recipe needs.
    Data {
        /// The data file (or dataset name).
        source: String,
        /// What is wrong: a missing column (named), a bad row (its line), a label of the wrong
        /// type.
        message: String,
    },
    /// A model or tokenizer folder could not be loaded or saved.
    Model {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Training, prediction or scoring failed.
    Run(String),
}

impl RecipeError {
    /// A [`RecipeError::Data`] about `source`.
    pub(crate) fn data(source: impl fmt::Display, message: impl Into<String>) -> RecipeError {
        RecipeError::Data {
            source: source.to_string(),
            message: message.into(),
        }
    }

    /// A [`RecipeError::Model`] about `path`.
    pub(crate) fn model(path: impl Into<PathBuf>, message: impl fmt::Display) -> RecipeError {
        RecipeError::Model {
            path: path.into(),
            message: message.to_string(),
        }
    }

    /// A [`RecipeError::Run`].
    pub(crate) fn run(message: impl fmt::Display) -> RecipeError {
        RecipeError::Run(message.to_string())
    }
}

impl fmt::Display for RecipeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecipeError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            RecipeError::Config {
                path: Some(path),
                message,
            } => write!(f, "{}: {message}", path.display()),
            RecipeError::Config {
                path: None,
                message,
            } => write!(f, "config: {message}"),
            RecipeError::Data { source, message } => write!(f, "{source}: {message}"),
            RecipeError::Model { path, message } => write!(f, "{}: {message}", path.display()),
            RecipeError::Run(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for RecipeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecipeError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
