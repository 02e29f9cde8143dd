//! Decoders: turn tokens back into text (Hugging Face `tokenizers.decoders`).

mod byte_level;
mod wordpiece;

pub use byte_level::{byte_level_decode, metaspace_decode};
pub use wordpiece::{WordPieceDecoder, cleanup};

use crate::pre_tokenizers::{ByteLevel, Metaspace};
use serde::{Deserialize, Serialize};

/// Any decoder, tagged by `"type"` as in `tokenizer.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Decoder {
    /// [`WordPieceDecoder`].
    WordPiece(WordPieceDecoder),
    /// Byte-level decoding ([`byte_level_decode`]); the settings are ignored.
    ByteLevel(ByteLevel),
    /// Metaspace decoding ([`metaspace_decode`]).
    Metaspace(Metaspace),
}

impl Decoder {
    /// Decodes each token (some decoders look at neighbours), returning the pieces.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Decoder::WordPiece(d) => d.decode_chain(tokens),
            Decoder::ByteLevel(_) => vec![byte_level_decode(&tokens)],
            Decoder::Metaspace(m) => metaspace_decode(tokens, m.replacement, m.prepend_scheme),
        }
    }

    /// Decodes tokens into one string.
    pub fn decode(&self, tokens: Vec<String>) -> String {
        self.decode_chain(tokens).concat()
    }
}
