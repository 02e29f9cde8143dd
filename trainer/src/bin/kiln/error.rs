//! [`CliError`]: a failed command's message, hint and exit code.

use std::fmt;

use kiln_trainer::recipes::RecipeError;

/// Why a `kiln` command failed.
#[derive(Debug)]
pub struct CliError {
    message: String,
    hint: Option<String>,
}

impl CliError {
    /// A failure with `message`.
    pub fn new(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            hint: None,
        }
    }

    /// The same failure with a hint saying what to do instead.
    pub fn with_hint(mut self, hint: impl Into<String>) -> CliError {
        self.hint = Some(hint.into());
        self
    }

    /// What to type or fix instead, when known.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }

    /// The process exit code: always 1 (clap exits with 2 on a bad command line).
    pub fn code(&self) -> u8 {
        1
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<RecipeError> for CliError {
    fn from(e: RecipeError) -> CliError {
        let hint = match &e {
            RecipeError::Model { .. } => Some(
                "a model folder holds config.json, model.safetensors and tokenizer.json (as `kiln train` or `save_pretrained` write them)",
            ),
            RecipeError::Config { .. } => {
                Some("see trainer/configs/ for a kiln.toml of each method")
            }
            _ => None,
        };
        let error = CliError::new(e.to_string());
        match hint {
            Some(h) => error.with_hint(h),
            None => error,
        }
    }
}
