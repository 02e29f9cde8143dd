//! Padding settings and batch padding (Hugging Face `utils::padding`).

use crate::tokenizer::Encoding;
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

/// Pads every encoding to the common target length (Hugging Face `pad_encodings`).
pub fn pad_encodings(encodings: &mut [Encoding], p: &PaddingParams) {
    if encodings.is_empty() {
        return;
    }
    let mut target = match p.strategy {
        PaddingStrategy::Fixed(n) => n,
        PaddingStrategy::BatchLongest => encodings.iter().map(Encoding::len).max().unwrap_or(0),
    };
    if let Some(m) = p.pad_to_multiple_of
        && m > 0
        && target % m > 0
    {
        target += m - target % m;
    }
    encodings
        .par_iter_mut()
        .with_min_len(64)
        .for_each(|e| e.pad(target, p.pad_id, p.pad_type_id, p.direction));
}
