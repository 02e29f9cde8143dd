//! Padding settings and batch padding (Hugging Face `utils::padding`).

use crate::error::{Result, TextError};
use crate::tokenizer::Encoding;
use crate::utils::{MAX_SEQUENCE_LENGTH, check_length};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Which side receives the padding tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaddingDirection {
    /// Pad before the tokens.
    Left,
    /// Pad after the tokens (default).
    #[default]
    Right,
}

/// The target length.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaddingStrategy {
    /// The longest encoding of the batch (default).
    #[default]
    BatchLongest,
    /// A fixed number of tokens.
    Fixed(usize),
}

/// Padding settings, as in `tokenizer.json` (Hugging Face `PaddingParams`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaddingParams {
    /// The target length.
    #[serde(default)]
    pub strategy: PaddingStrategy,
    /// Which side is padded.
    #[serde(default)]
    pub direction: PaddingDirection,
    /// Round the target length up to a multiple of this.
    #[serde(default)]
    pub pad_to_multiple_of: Option<usize>,
    /// Id of the padding token.
    #[serde(default)]
    pub pad_id: u32,
    /// Type id given to padding.
    #[serde(default)]
    pub pad_type_id: u32,
    /// The padding token string (its id is `pad_id`).
    #[serde(default = "default_pad_token")]
    pub pad_token: String,
}

fn default_pad_token() -> String {
    "[PAD]".into()
}

impl Default for PaddingParams {
    fn default() -> Self {
        PaddingParams {
            strategy: PaddingStrategy::BatchLongest,
            direction: PaddingDirection::Right,
            pad_to_multiple_of: None,
            pad_id: 0,
            pad_type_id: 0,
            pad_token: default_pad_token(),
        }
    }
}

impl PaddingParams {
    /// Checks the lengths against [`MAX_SEQUENCE_LENGTH`]: the `Fixed` length,
    /// `pad_to_multiple_of`, and the `Fixed` length rounded up to that multiple. The error
    /// names the field (`padding.strategy.Fixed`, `padding.pad_to_multiple_of`).
    pub fn validate(&self) -> Result<()> {
        if let PaddingStrategy::Fixed(n) = self.strategy {
            check_length("padding.strategy.Fixed", n)?;
        }
        if let Some(m) = self.pad_to_multiple_of {
            check_length("padding.pad_to_multiple_of", m)?;
            if let PaddingStrategy::Fixed(n) = self.strategy {
                check_length("padding.pad_to_multiple_of", round_up(n, m))?;
            }
        }
        Ok(())
    }
}

/// `n` rounded up to a multiple of `m` (unchanged for `m = 0`, as in Hugging Face).
fn round_up(n: usize, m: usize) -> usize {
    if m > 0 && !n.is_multiple_of(m) {
        n + (m - n % m)
    } else {
        n
    }
}

/// Lengths of `e` and of every window it overflowed into: `(windows, tokens, padding the
/// windows shorter than target need)`.
fn padded_size(e: &Encoding, target: usize) -> (usize, usize, usize) {
    let mut acc = (1, e.len(), target.saturating_sub(e.len()));
    for o in e.overflowing() {
        let (w, t, p) = padded_size(o, target);
        acc = (acc.0 + w, acc.1 + t, acc.2.saturating_add(p));
    }
    acc
}

/// Pads every encoding to the common target length (Hugging Face `pad_encodings`).
///
/// Fails, padding nothing, when `p` is out of bounds ([`PaddingParams::validate`]) or when
/// padding one encoding would add more than `max(MAX_SEQUENCE_LENGTH, its own length)`
/// tokens. The second case only arises when truncation overflow splits a text into many
/// short windows and each is padded to a much longer fixed length (say `max_length: 2,
/// stride: 1` with `Fixed(1000000)`), which would turn a few kilobytes of text into
/// gigabytes; ordinary settings (padding to the truncation length) add at most one
/// window's worth.
pub fn pad_encodings(encodings: &mut [Encoding], p: &PaddingParams) -> Result<()> {
    if encodings.is_empty() {
        return Ok(());
    }
    p.validate()?;
    let target = match p.strategy {
        PaddingStrategy::Fixed(n) => n,
        PaddingStrategy::BatchLongest => encodings.iter().map(Encoding::len).max().unwrap_or(0),
    };
    let target = round_up(target, p.pad_to_multiple_of.unwrap_or(0));
    for e in encodings.iter() {
        let (windows, tokens, added) = padded_size(e, target);
        if added > MAX_SEQUENCE_LENGTH.max(tokens) {
            return Err(TextError::config(
                "padding.strategy",
                format!(
                    "padding the {windows} windows of an encoding of {tokens} tokens \
                     (truncation overflow) to {target} tokens each would add {added} tokens, \
                     above the limit of {MAX_SEQUENCE_LENGTH}"
                ),
            ));
        }
    }
    encodings
        .par_iter_mut()
        .with_min_len(64)
        .for_each(|e| e.pad(target, p.pad_id, p.pad_type_id, p.direction));
    Ok(())
}
