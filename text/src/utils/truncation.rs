//! Truncation settings and the pair truncation rule (Hugging Face `utils::truncation`).

use crate::error::{Result, TextError};
use crate::tokenizer::Encoding;
use crate::utils::check_length;
use serde::{Deserialize, Serialize};

/// Which end of a sequence loses tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TruncationDirection {
    /// Drop tokens at the start.
    Left,
    /// Drop tokens at the end (default).
    #[default]
    Right,
}

/// How a pair is shortened to fit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TruncationStrategy {
    /// Shorten the longer sequence first, then both evenly (default).
    #[default]
    LongestFirst,
    /// Shorten only the first sequence.
    OnlyFirst,
    /// Shorten only the second sequence.
    OnlySecond,
}

/// Truncation settings, as in `tokenizer.json` (Hugging Face `TruncationParams`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruncationParams {
    /// Which end loses tokens.
    #[serde(default)]
    pub direction: TruncationDirection,
    /// Maximum number of tokens, special tokens included.
    pub max_length: usize,
    /// Pair strategy.
    #[serde(default)]
    pub strategy: TruncationStrategy,
    /// Tokens shared by consecutive overflowing windows.
    #[serde(default)]
    pub stride: usize,
}

impl Default for TruncationParams {
    fn default() -> Self {
        TruncationParams {
            direction: TruncationDirection::Right,
            max_length: 512,
            strategy: TruncationStrategy::LongestFirst,
            stride: 0,
        }
    }
}

impl TruncationParams {
    /// Checks `max_length` and `stride` against [`MAX_SEQUENCE_LENGTH`]; the error names the
    /// field (`truncation.max_length`, `truncation.stride`). A stride that leaves no room
    /// after the special tokens is reported when encoding, where the post-processor is known.
    ///
    /// [`MAX_SEQUENCE_LENGTH`]: crate::utils::MAX_SEQUENCE_LENGTH
    pub fn validate(&self) -> Result<()> {
        check_length("truncation.max_length", self.max_length)?;
        check_length("truncation.stride", self.stride)
    }
}

/// Truncates `enc` (and `pair`) so that together they have at most `p.max_length` tokens.
pub fn truncate_encodings(
    mut enc: Encoding,
    mut pair: Option<Encoding>,
    p: &TruncationParams,
) -> Result<(Encoding, Option<Encoding>)> {
    if p.max_length == 0 {
        enc.truncate(0, p.stride, p.direction)?;
        if let Some(b) = pair.as_mut() {
            b.truncate(0, p.stride, p.direction)?;
        }
        return Ok((enc, pair));
    }
    let total = enc.len() + pair.as_ref().map_or(0, |b| b.len());
    if total <= p.max_length {
        return Ok((enc, pair));
    }
    let to_remove = total - p.max_length;
    match p.strategy {
        TruncationStrategy::LongestFirst => match pair.as_mut() {
            None => enc.truncate(p.max_length, p.stride, p.direction)?,
            Some(b) => {
                let (mut n1, mut n2) = (enc.len(), b.len());
                let swap = n1 > n2;
                if swap {
                    std::mem::swap(&mut n1, &mut n2);
                }
                n2 = if n1 > p.max_length {
                    n1
                } else {
                    n1.max(p.max_length - n1)
                };
                if n1 + n2 > p.max_length {
                    n1 = p.max_length / 2;
                    n2 = n1 + p.max_length % 2;
                }
                if swap {
                    std::mem::swap(&mut n1, &mut n2);
                }
                enc.truncate(n1, p.stride, p.direction)?;
                b.truncate(n2, p.stride, p.direction)?;
            }
        },
        TruncationStrategy::OnlyFirst | TruncationStrategy::OnlySecond => {
            let target = if p.strategy == TruncationStrategy::OnlyFirst {
                &mut enc
            } else {
                pair.as_mut().ok_or_else(|| {
                    TextError::config("truncation.strategy", "OnlySecond needs a pair of inputs")
                })?
            };
            if target.len() <= to_remove {
                return Err(TextError::config(
                    "truncation.max_length",
                    "the sequence to truncate is shorter than what must be removed",
                ));
            }
            let keep = target.len() - to_remove;
            target.truncate(keep, p.stride, p.direction)?;
        }
    }
    Ok((enc, pair))
}
