//! Post-processors: add special tokens and set type ids after the model
//! (Hugging Face `tokenizers.processors`).

mod byte_level;
mod roberta;
mod template;

pub use byte_level::trim_offsets;
pub use roberta::RobertaProcessing;
pub use template::{BertProcessing, Piece, SequenceId, SpecialToken, TemplateProcessing};

use crate::models::Vocab;
use crate::pre_tokenizers::ByteLevel;
use crate::tokenizer::Encoding;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Any post-processor, tagged by `"type"` as in `tokenizer.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum PostProcessor {
    /// [`TemplateProcessing`].
    TemplateProcessing(TemplateProcessing),
    /// [`BertProcessing`].
    BertProcessing(BertProcessing),
    /// [`RobertaProcessing`].
    RobertaProcessing(RobertaProcessing),
    /// Byte-level offset trimming ([`trim_offsets`]); adds no tokens.
    ByteLevel(ByteLevel),
}

impl PostProcessor {
    /// Number of special tokens added to a single input or a pair.
    pub fn added_tokens(&self, is_pair: bool) -> usize {
        match self {
            PostProcessor::TemplateProcessing(t) => t.added_tokens(is_pair),
            PostProcessor::BertProcessing(_) => {
                if is_pair {
                    3
                } else {
                    2
                }
            }
            PostProcessor::RobertaProcessing(r) => r.added_tokens(is_pair),
            PostProcessor::ByteLevel(_) => 0,
        }
    }

    /// Combines `enc` and `pair` (encodings of `texts.0` and `texts.1`) into the final
    /// encoding.
    pub fn process(
        &self,
        mut enc: Encoding,
        mut pair: Option<Encoding>,
        add_special_tokens: bool,
        table: &Arc<Vocab>,
        texts: (&str, Option<&str>),
    ) -> Encoding {
        match self {
            PostProcessor::ByteLevel(b) => {
                if b.trim_offsets {
                    trim_offsets(&mut enc, b.add_prefix_space, table, texts.0);
                    if let (Some(p), Some(t)) = (pair.as_mut(), texts.1) {
                        trim_offsets(p, b.add_prefix_space, table, t);
                    }
                }
                if let Some(p) = pair {
                    enc.merge_with(p, false);
                }
                enc
            }
            PostProcessor::TemplateProcessing(t) => t.process(enc, pair, add_special_tokens, table),
            PostProcessor::RobertaProcessing(r) => {
                r.process(enc, pair, add_special_tokens, table, texts)
            }
            PostProcessor::BertProcessing(b) => {
                b.to_template()
                    .process(enc, pair, add_special_tokens, table)
            }
        }
    }
}
