//! The checks every encoder config's `validate` makes after parsing (`BertConfig`,
//! `DistilBertConfig`): each failure is a [`PretrainedError::Config`] naming the file and the
//! key, as transformers' `PretrainedConfig` raises `ValueError` naming the attribute.

use super::error::PretrainedError;

/// Checks of one parsed `config.json`; `source` names the file in every error.
pub(crate) struct ConfigCheck<'a> {
    source: &'a str,
}

impl<'a> ConfigCheck<'a> {
    /// Checks reporting errors against the file `source`.
    pub(crate) fn new(source: &'a str) -> Self {
        ConfigCheck { source }
    }

    fn fail(&self, message: String) -> Result<(), PretrainedError> {
        Err(PretrainedError::Config {
            path: self.source.into(),
            message,
        })
    }

    /// `model_type` is `expected`, the one the config type `reader` reads.
    pub(crate) fn model_type(
        &self,
        model_type: &str,
        expected: &str,
        reader: &str,
    ) -> Result<(), PretrainedError> {
        if model_type == expected {
            return Ok(());
        }
        self.fail(format!(
            "model_type is \"{model_type}\"; {reader} reads \"{expected}\""
        ))
    }

    /// `value` of `key` is `supported`, the one setting Kiln implements.
    pub(crate) fn only(
        &self,
        key: &str,
        value: &str,
        supported: &str,
    ) -> Result<(), PretrainedError> {
        if value == supported {
            return Ok(());
        }
        self.fail(format!(
            "{key} \"{value}\" is not supported (only \"{supported}\")"
        ))
    }

    /// Every `(key, size)` is at least 1.
    pub(crate) fn sizes(&self, sizes: &[(&str, usize)]) -> Result<(), PretrainedError> {
        match sizes.iter().find(|(_, size)| *size == 0) {
            Some((key, _)) => self.fail(format!("{key} must be at least 1")),
            None => Ok(()),
        }
    }

    /// `whole` is a multiple of `part` (the hidden size of the attention heads).
    pub(crate) fn multiple_of(
        &self,
        (whole_key, whole): (&str, usize),
        (part_key, part): (&str, usize),
    ) -> Result<(), PretrainedError> {
        if part != 0 && whole.is_multiple_of(part) {
            return Ok(());
        }
        self.fail(format!(
            "{whole_key} {whole} is not a multiple of {part_key} {part}"
        ))
    }

    /// `value` is below `bound` (an id below the vocabulary size).
    pub(crate) fn below(
        &self,
        (key, value): (&str, usize),
        (bound_key, bound): (&str, usize),
    ) -> Result<(), PretrainedError> {
        if value < bound {
            return Ok(());
        }
        self.fail(format!("{key} {value} is not below {bound_key} {bound}"))
    }

    /// Every `(key, p)` lies in `[0, 1]` (dropout probabilities; NaN fails).
    pub(crate) fn probabilities(&self, ps: &[(&str, f64)]) -> Result<(), PretrainedError> {
        match ps.iter().find(|(_, p)| !(0.0..=1.0).contains(p)) {
            Some((key, p)) => self.fail(format!("{key} {p} is not a probability")),
            None => Ok(()),
        }
    }
}
