//! Shared pieces: character classes, patterns, padding and truncation.

pub mod base64;
pub mod chars;
pub mod padding;
pub mod pattern;
pub mod truncation;

/// The largest sequence length a tokenizer accepts in its settings: padding's `Fixed` length
/// and `pad_to_multiple_of`, truncation's `max_length` and `stride` (2^20 = 1,048,576 tokens,
/// far above any encoder's context; the longest BERT-family models take 8,192).
///
/// Kiln-text knows no model's position limit, so this is the bound it enforces when a
/// `tokenizer.json` is loaded and in [`Tokenizer::try_with_padding`] /
/// [`Tokenizer::try_with_truncation`]. One encoding padded to it holds about 40 MiB; a
/// value above it is an error naming the field rather than a multi-terabyte allocation on
/// the first `encode`.
///
/// [`Tokenizer::try_with_padding`]: crate::Tokenizer::try_with_padding
/// [`Tokenizer::try_with_truncation`]: crate::Tokenizer::try_with_truncation
pub const MAX_SEQUENCE_LENGTH: usize = 1 << 20;

/// Checks that the setting `field` (`value` tokens) is at most [`MAX_SEQUENCE_LENGTH`].
pub(crate) fn check_length(field: &str, value: usize) -> crate::Result<()> {
    if value > MAX_SEQUENCE_LENGTH {
        return Err(crate::TextError::config(
            field,
            format!(
                "{value} tokens is above the limit of {MAX_SEQUENCE_LENGTH} \
                 (kiln_text::utils::MAX_SEQUENCE_LENGTH)"
            ),
        ));
    }
    Ok(())
}
