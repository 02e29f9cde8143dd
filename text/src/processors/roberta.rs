//! RobertaProcessing: `<s> A </s>` / `<s> A </s> </s> B </s>`, every type id 0, after trimming
//! byte-level offsets (Hugging Face `processors.RobertaProcessing`).

use super::template::{Piece, SequenceId, SpecialToken, TemplateProcessing};
use super::trim_offsets;
use crate::models::Vocab;
use crate::tokenizer::Encoding;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

fn yes() -> bool {
    true
}

/// RoBERTa's post-processor (Hugging Face `processors.RobertaProcessing`, `"type":
/// "RobertaProcessing"` in `tokenizer.json`): with special tokens, `cls A sep` for one input
/// and `cls A sep sep B sep` for a pair, all of type id 0 (pairs too, unlike BERT); when
/// `trim_offsets`, each sequence's offsets are first trimmed of the spaces its byte-level
/// tokens carry, keeping the prefix space when `add_prefix_space` (as the ByteLevel
/// post-processor does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobertaProcessing {
    /// The separator token and its id (`("</s>", 2)`).
    pub sep: (String, u32),
    /// The classification token and its id (`("<s>", 0)`).
    pub cls: (String, u32),
    /// Trim the spaces of byte-level tokens from their offsets (default true).
    #[serde(default = "yes")]
    pub trim_offsets: bool,
    /// The pre-tokenizer added a space in front of the input, so the first token's leading
    /// space is kept in its offsets (default true).
    #[serde(default = "yes")]
    pub add_prefix_space: bool,
}

impl RobertaProcessing {
    /// `RobertaProcessing(sep, cls)` with HF's defaults (`trim_offsets` and
    /// `add_prefix_space` true).
    pub fn new(sep: (&str, u32), cls: (&str, u32)) -> RobertaProcessing {
        RobertaProcessing {
            sep: (sep.0.to_owned(), sep.1),
            cls: (cls.0.to_owned(), cls.1),
            trim_offsets: true,
            add_prefix_space: true,
        }
    }

    /// The same processor with `trim_offsets` set.
    pub fn with_trim_offsets(mut self, on: bool) -> RobertaProcessing {
        self.trim_offsets = on;
        self
    }

    /// The same processor with `add_prefix_space` set.
    pub fn with_add_prefix_space(mut self, on: bool) -> RobertaProcessing {
        self.add_prefix_space = on;
        self
    }

    /// Number of special tokens added: 2 for one input, 4 for a pair
    /// (HF `added_tokens(is_pair)`).
    pub fn added_tokens(&self, is_pair: bool) -> usize {
        if is_pair { 4 } else { 2 }
    }

    /// The template adding the special tokens, every piece of type id 0.
    pub fn to_template(&self) -> TemplateProcessing {
        let (c, s) = (self.cls.0.as_str(), self.sep.0.as_str());
        let tok = |t: &str| Piece::SpecialToken {
            id: t.to_owned(),
            type_id: 0,
        };
        let seq = |id| Piece::Sequence { id, type_id: 0 };
        let special_tokens = [(c, self.cls.1), (s, self.sep.1)]
            .into_iter()
            .map(|(t, id)| {
                let st = SpecialToken {
                    id: t.to_owned(),
                    ids: vec![id],
                    tokens: vec![t.to_owned()],
                };
                (t.to_owned(), st)
            })
            .collect();
        TemplateProcessing {
            single: vec![tok(c), seq(SequenceId::A), tok(s)],
            pair: vec![
                tok(c),
                seq(SequenceId::A),
                tok(s),
                tok(s),
                seq(SequenceId::B),
                tok(s),
            ],
            special_tokens,
        }
    }

    /// Trims offsets (when `trim_offsets`), then adds the special tokens (when
    /// `add_special_tokens`) and sets every type id to 0.
    pub fn process(
        &self,
        mut enc: Encoding,
        mut pair: Option<Encoding>,
        add_special_tokens: bool,
        table: &Arc<Vocab>,
        texts: (&str, Option<&str>),
    ) -> Encoding {
        if self.trim_offsets {
            trim_offsets(&mut enc, self.add_prefix_space, table, texts.0);
            if let (Some(p), Some(t)) = (pair.as_mut(), texts.1) {
                trim_offsets(p, self.add_prefix_space, table, t);
            }
        }
        self.to_template()
            .process(enc, pair, add_special_tokens, table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_hugging_face_json() {
        let text = r#"{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0],"trim_offsets":false,"add_prefix_space":true}"#;
        let p: super::super::PostProcessor = serde_json::from_str(text).unwrap();
        let expected = RobertaProcessing::new(("</s>", 2), ("<s>", 0)).with_trim_offsets(false);
        assert_eq!(
            p,
            super::super::PostProcessor::RobertaProcessing(expected.clone())
        );
        let back: serde_json::Value = serde_json::to_value(&p).unwrap();
        let want: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(back, want);
        // The two flags default to true, as in HF.
        let short = r#"{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0]}"#;
        let p: super::super::PostProcessor = serde_json::from_str(short).unwrap();
        assert_eq!(
            p,
            super::super::PostProcessor::RobertaProcessing(expected.with_trim_offsets(true))
        );
        assert_eq!(p.added_tokens(true), 4);
        assert_eq!(p.added_tokens(false), 2);
    }
}
