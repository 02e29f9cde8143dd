//! The standard BERT WordPiece tokenizer built from a `vocab.txt`.

use super::Tokenizer;
use crate::decoders::{Decoder, WordPieceDecoder};
use crate::error::Result;
use crate::models::{Model, Vocab, WordPiece, WordPieceConfig};
use crate::normalizers::{BertNormalizer, Normalizer};
use crate::pre_tokenizers::{BertPreTokenizer, PreTokenizer};
use crate::processors::{PostProcessor, TemplateProcessing};
use std::path::Path;

impl Tokenizer {
    /// BERT's tokenizer for a WordPiece `vocab`, as transformers' `BertTokenizerFast` builds it:
    /// BertNormalizer (`lowercase` also strips accents), BertPreTokenizer, WordPiece with
    /// `[UNK]`, `[CLS] $A [SEP]` / `[CLS] $A [SEP] $B:1 [SEP]:1`, the WordPiece decoder, and
    /// `[PAD] [UNK] [CLS] [SEP] [MASK]` as special tokens.
    pub fn bert_wordpiece(vocab: Vocab, lowercase: bool) -> Result<Self> {
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
        let id = |t: &str, field: &str| {
            vocab.id(t).ok_or_else(|| {
                crate::error::TextError::config(field, format!("{t:?} is not in the vocabulary"))
            })
        };
        let cls = id("[CLS]", "vocab.txt")?;
        let sep = id("[SEP]", "vocab.txt")?;
        let model = WordPiece::new(vocab, WordPieceConfig::default())?;
        let template = TemplateProcessing::new(
            "[CLS] $A [SEP]",
            "[CLS] $A [SEP] $B:1 [SEP]:1",
            &[("[CLS]", cls), ("[SEP]", sep)],
        )?;
        let mut t = Tokenizer::new(Model::WordPiece(model))
            .with_normalizer(Some(Normalizer::BertNormalizer(BertNormalizer {
                lowercase,
                ..BertNormalizer::default()
            })))
            .with_pre_tokenizer(Some(PreTokenizer::BertPreTokenizer(BertPreTokenizer)))
            .with_post_processor(Some(PostProcessor::TemplateProcessing(template)))
            .with_decoder(Some(Decoder::WordPiece(WordPieceDecoder::default())));
        let present: Vec<&str> = specials
            .into_iter()
            .filter(|s| t.model().vocab().id(s).is_some())
            .collect();
        t.add_special_tokens(&present);
        Ok(t)
    }

    /// [`Tokenizer::bert_wordpiece`] from a `vocab.txt` file (read as
    /// [`WordPiece::vocab_from_txt`] does); errors name the file.
    pub fn bert_from_vocab_file(path: impl AsRef<Path>, lowercase: bool) -> Result<Self> {
        let path = path.as_ref();
        let wp = WordPiece::from_vocab_file(path, WordPieceConfig::default())?;
        Self::bert_wordpiece(wp.vocab().clone(), lowercase)
            .map_err(|e| e.in_file(&path.display().to_string()))
    }
}
