//! TemplateProcessing and BertProcessing: add special tokens around the sequences.

use crate::error::{Result, TextError};
use crate::models::Vocab;
use crate::tokenizer::Encoding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Which input a template piece stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SequenceId {
    /// The first input (`$A`).
    A,
    /// The second input (`$B`).
    B,
}

/// One element of a template (Hugging Face `processors.template.Piece`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Piece {
    /// An input sequence, given `type_id`.
    Sequence {
        /// Which input.
        id: SequenceId,
        /// Its type id.
        type_id: u32,
    },
    /// A special token (a key of `special_tokens`), given `type_id`.
    SpecialToken {
        /// The special token's name.
        id: String,
        /// Its type id.
        type_id: u32,
    },
}

impl Piece {
    /// Parses `"$A"`, `"$B:1"`, `"[SEP]:1"`, … (Hugging Face template syntax).
    pub fn parse(s: &str) -> Result<Piece> {
        let (body, type_id) = match s.rsplit_once(':') {
            Some((b, t)) if !b.is_empty() => (
                b,
                t.parse::<u32>()
                    .map_err(|_| TextError::config("template", format!("bad type id in {s:?}")))?,
            ),
            _ => (s, 0),
        };
        Ok(match body {
            "$" | "$A" | "$a" => Piece::Sequence {
                id: SequenceId::A,
                type_id,
            },
            "$B" | "$b" => Piece::Sequence {
                id: SequenceId::B,
                type_id,
            },
            _ if body.starts_with('$') => {
                return Err(TextError::config(
                    "template",
                    format!("unknown sequence {s:?}"),
                ));
            }
            _ => Piece::SpecialToken {
                id: body.to_owned(),
                type_id,
            },
        })
    }
}

/// A special token of a template: its name and the ids/tokens it expands to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialToken {
    /// The name used in the template.
    pub id: String,
    /// The ids it expands to.
    pub ids: Vec<u32>,
    /// The token strings, aligned with `ids`.
    pub tokens: Vec<String>,
}

/// Adds special tokens following a template such as `"[CLS] $A [SEP] $B:1 [SEP]:1"`
/// (Hugging Face `processors.TemplateProcessing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TemplateJson")]
pub struct TemplateProcessing {
    /// Template for a single input.
    pub single: Vec<Piece>,
    /// Template for a pair of inputs.
    pub pair: Vec<Piece>,
    /// The special tokens, by name.
    pub special_tokens: BTreeMap<String, SpecialToken>,
}

#[derive(Deserialize)]
struct TemplateJson {
    single: Vec<Piece>,
    pair: Vec<Piece>,
    special_tokens: BTreeMap<String, SpecialToken>,
}

impl TryFrom<TemplateJson> for TemplateProcessing {
    type Error = TextError;
    fn try_from(j: TemplateJson) -> Result<Self> {
        let t = TemplateProcessing {
            single: j.single,
            pair: j.pair,
            special_tokens: j.special_tokens,
        };
        t.validate()?;
        Ok(t)
    }
}

impl TemplateProcessing {
    /// Builds a processor from template strings and `(token, id)` special tokens.
    pub fn new(single: &str, pair: &str, special: &[(&str, u32)]) -> Result<Self> {
        let parse = |s: &str| {
            s.split_whitespace()
                .map(Piece::parse)
                .collect::<Result<Vec<_>>>()
        };
        let special_tokens = special
            .iter()
            .map(|&(t, id)| {
                let st = SpecialToken {
                    id: t.to_owned(),
                    ids: vec![id],
                    tokens: vec![t.to_owned()],
                };
                (t.to_owned(), st)
            })
            .collect();
        let t = TemplateProcessing {
            single: parse(single)?,
            pair: parse(pair)?,
            special_tokens,
        };
        t.validate()?;
        Ok(t)
    }

    fn validate(&self) -> Result<()> {
        for p in self.single.iter().chain(&self.pair) {
            if let Piece::SpecialToken { id, .. } = p
                && !self.special_tokens.contains_key(id)
            {
                return Err(TextError::config(
                    "post_processor.special_tokens",
                    format!("the template uses {id:?}, which is not defined"),
                ));
            }
        }
        for (k, st) in &self.special_tokens {
            if st.ids.len() != st.tokens.len() {
                return Err(TextError::config(
                    "post_processor.special_tokens",
                    format!(
                        "{k:?} has {} ids but {} tokens",
                        st.ids.len(),
                        st.tokens.len()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Number of special tokens the template adds (Hugging Face `added_tokens(is_pair)`).
    pub fn added_tokens(&self, is_pair: bool) -> usize {
        let t = if is_pair { &self.pair } else { &self.single };
        t.iter()
            .map(|p| match p {
                Piece::SpecialToken { id, .. } => {
                    self.special_tokens.get(id).map_or(0, |s| s.ids.len())
                }
                Piece::Sequence { .. } => 0,
            })
            .sum()
    }

    /// Applies the template to `enc` (and `pair`).
    pub fn process(
        &self,
        mut enc: Encoding,
        mut pair: Option<Encoding>,
        add_special_tokens: bool,
        table: &Arc<Vocab>,
    ) -> Encoding {
        let template = if pair.is_some() {
            &self.pair
        } else {
            &self.single
        };
        let mut out = Encoding::empty(
            table.clone(),
            enc.len() + pair.as_ref().map_or(0, Encoding::len) + 4,
        );
        for p in template {
            match p {
                Piece::Sequence { id, type_id } => {
                    let e = match id {
                        SequenceId::A => Some(&mut enc),
                        SequenceId::B => pair.as_mut(),
                    };
                    if let Some(e) = e {
                        e.set_type_ids(*type_id);
                        out.merge_with(e.clone(), false);
                    }
                }
                Piece::SpecialToken { id, type_id } => {
                    if add_special_tokens && let Some(st) = self.special_tokens.get(id) {
                        let mut s = Encoding::empty(table.clone(), st.ids.len());
                        for &tid in &st.ids {
                            s.push(tid, *type_id, (0, 0), None, true);
                        }
                        out.merge_with(s, false);
                    }
                }
            }
        }
        out
    }
}

/// BERT's `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]` with type ids 0/1
/// (Hugging Face `processors.BertProcessing`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BertProcessing {
    /// The separator token and its id.
    pub sep: (String, u32),
    /// The classification token and its id.
    pub cls: (String, u32),
}

impl BertProcessing {
    /// The equivalent template.
    pub fn to_template(&self) -> TemplateProcessing {
        let (c, s) = (self.cls.0.as_str(), self.sep.0.as_str());
        let tok = |t: &str, type_id| Piece::SpecialToken {
            id: t.to_owned(),
            type_id,
        };
        let seq = |id, type_id| Piece::Sequence { id, type_id };
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
            single: vec![tok(c, 0), seq(SequenceId::A, 0), tok(s, 0)],
            pair: vec![
                tok(c, 0),
                seq(SequenceId::A, 0),
                tok(s, 0),
                seq(SequenceId::B, 1),
                tok(s, 1),
            ],
            special_tokens,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_template_strings() {
        let t = TemplateProcessing::new(
            "[CLS] $A [SEP]",
            "[CLS] $A [SEP] $B:1 [SEP]:1",
            &[("[CLS]", 101), ("[SEP]", 102)],
        )
        .unwrap();
        let bert = BertProcessing {
            sep: ("[SEP]".into(), 102),
            cls: ("[CLS]".into(), 101),
        };
        assert_eq!(t, bert.to_template());
        assert_eq!(t.added_tokens(true), 3);
        assert!(TemplateProcessing::new("[X] $A", "$A $B", &[]).is_err());
    }
}
