//! Decoders: turn tokens back into text (Hugging Face `tokenizers.decoders`).

mod byte_fallback;
mod byte_level;
mod replace;
mod strip;
mod wordpiece;

pub use byte_fallback::byte_fallback_decode;
pub use byte_level::{byte_level_decode, metaspace_decode};
pub use replace::ReplaceDecoder;
pub use strip::StripDecoder;
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
    /// `<0xNN>` tokens back to text ([`byte_fallback_decode`], Hugging Face
    /// `decoders.ByteFallback`).
    ByteFallback,
    /// Joins all tokens into one (Hugging Face `decoders.Fuse`).
    Fuse,
    /// [`StripDecoder`] (Hugging Face `decoders.Strip`).
    Strip(StripDecoder),
    /// [`ReplaceDecoder`] (Hugging Face `decoders.Replace`).
    Replace(ReplaceDecoder),
    /// Several decoders applied in order, each to the previous one's tokens
    /// (Hugging Face `decoders.Sequence`).
    Sequence {
        /// The decoders, first applied first.
        decoders: Vec<Decoder>,
    },
}

impl Decoder {
    /// Decodes each token (some decoders look at neighbours), returning the pieces.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        match self {
            Decoder::WordPiece(d) => d.decode_chain(tokens),
            Decoder::ByteLevel(_) => vec![byte_level_decode(&tokens)],
            Decoder::Metaspace(m) => metaspace_decode(tokens, m.replacement, m.prepend_scheme),
            Decoder::ByteFallback => byte_fallback_decode(tokens),
            Decoder::Fuse => vec![tokens.concat()],
            Decoder::Strip(d) => d.decode_chain(tokens),
            Decoder::Replace(d) => d.decode_chain(tokens),
            Decoder::Sequence { decoders } => {
                decoders.iter().fold(tokens, |t, d| d.decode_chain(t))
            }
        }
    }

    /// Decodes tokens into one string.
    pub fn decode(&self, tokens: Vec<String>) -> String {
        self.decode_chain(tokens).concat()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn llama_style_sequence_round_trips_and_decodes() {
        let json = r#"{"type":"Sequence","decoders":[{"type":"Replace","pattern":{"String":"▁"},"content":" "},{"type":"ByteFallback"},{"type":"Fuse"},{"type":"Strip","content":" ","start":1,"stop":0}]}"#;
        let d: Decoder = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&d).unwrap(), json);
        let t = ["▁Hi", "▁", "<0xE4>", "<0xB8>", "<0xAD>", "!"].map(String::from);
        assert_eq!(d.decode(t.to_vec()), "Hi 中!");
    }
}
