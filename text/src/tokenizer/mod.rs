//! The pipeline: added tokens → normalizer → pre-tokenizer → model → truncation →
//! post-processor → padding (Hugging Face `Tokenizer`).

mod added_vocabulary;
mod bert;
mod encoding;
mod pretrained;
mod serialization;
mod train;

pub use added_vocabulary::AddedToken;
pub use encoding::Encoding;

use crate::decoders::Decoder;
use crate::error::{Result, TextError};
use crate::models::{Model, Piece, Vocab};
use crate::normalizers::{NormalizedString, Normalizer};
use crate::pre_tokenizers::{PreTokenizedString, PreTokenizer, Split};
use crate::processors::PostProcessor;
use crate::utils::padding::{PaddingParams, pad_encodings};
use crate::utils::truncation::{TruncationParams, truncate_encodings};
use added_vocabulary::Matcher;
use rayon::prelude::*;
use rustc_hash::FxHashSet;
use std::sync::Arc;

/// A complete tokenizer (Hugging Face `tokenizers.Tokenizer`): build one from parts with
/// [`Tokenizer::new`] and the `with_*` methods, or load a `tokenizer.json` with
/// [`Tokenizer::from_file`].
#[derive(Debug, Clone)]
pub struct Tokenizer {
    normalizer: Option<Normalizer>,
    pre_tokenizer: Option<PreTokenizer>,
    model: Model,
    post_processor: Option<PostProcessor>,
    decoder: Option<Decoder>,
    added_tokens: Vec<AddedToken>,
    raw_matcher: Matcher,
    norm_matcher: Matcher,
    special: FxHashSet<String>,
    truncation: Option<TruncationParams>,
    padding: Option<PaddingParams>,
    table: Arc<Vocab>,
}

impl Tokenizer {
    /// A tokenizer made of `model` alone (no normalizer, pre-tokenizer, processor, decoder).
    pub fn new(model: Model) -> Self {
        let table = Arc::new(model.vocab().clone());
        Tokenizer {
            normalizer: None,
            pre_tokenizer: None,
            model,
            post_processor: None,
            decoder: None,
            added_tokens: Vec::new(),
            raw_matcher: Matcher::default(),
            norm_matcher: Matcher::default(),
            special: FxHashSet::default(),
            truncation: None,
            padding: None,
            table,
        }
    }

    /// Sets the normalizer.
    pub fn with_normalizer(mut self, n: Option<Normalizer>) -> Self {
        self.normalizer = n;
        self
    }

    /// Sets the pre-tokenizer.
    pub fn with_pre_tokenizer(mut self, p: Option<PreTokenizer>) -> Self {
        self.pre_tokenizer = p;
        self
    }

    /// Sets the post-processor.
    pub fn with_post_processor(mut self, p: Option<PostProcessor>) -> Self {
        self.post_processor = p;
        self
    }

    /// Sets the decoder.
    pub fn with_decoder(mut self, d: Option<Decoder>) -> Self {
        self.decoder = d;
        self
    }

    /// Sets truncation (Hugging Face `enable_truncation` / `no_truncation`).
    ///
    /// # Panics
    /// If `max_length` or `stride` is above [`crate::utils::MAX_SEQUENCE_LENGTH`]; use
    /// [`Tokenizer::try_with_truncation`] for settings that come from outside the program.
    pub fn with_truncation(self, t: Option<TruncationParams>) -> Self {
        self.try_with_truncation(t)
            .unwrap_or_else(|e| panic!("Tokenizer::with_truncation: {e}"))
    }

    /// Sets truncation, or returns an error naming the field when a length is above
    /// [`crate::utils::MAX_SEQUENCE_LENGTH`] ([`TruncationParams::validate`]).
    pub fn try_with_truncation(mut self, t: Option<TruncationParams>) -> Result<Self> {
        if let Some(t) = &t {
            t.validate()?;
        }
        self.truncation = t;
        Ok(self)
    }

    /// Sets padding (Hugging Face `enable_padding` / `no_padding`).
    ///
    /// # Panics
    /// If the `Fixed` length or `pad_to_multiple_of` is above
    /// [`crate::utils::MAX_SEQUENCE_LENGTH`]; use [`Tokenizer::try_with_padding`] for settings
    /// that come from outside the program.
    pub fn with_padding(self, p: Option<PaddingParams>) -> Self {
        self.try_with_padding(p)
            .unwrap_or_else(|e| panic!("Tokenizer::with_padding: {e}"))
    }

    /// Sets padding, or returns an error naming the field when a length is above
    /// [`crate::utils::MAX_SEQUENCE_LENGTH`] ([`PaddingParams::validate`]).
    pub fn try_with_padding(mut self, p: Option<PaddingParams>) -> Result<Self> {
        if let Some(p) = &p {
            p.validate()?;
        }
        self.padding = p;
        Ok(self)
    }

    /// Replaces the model (keeping the added tokens, whose table is rebuilt).
    pub fn set_model(&mut self, model: Model) {
        self.model = model;
        let mut next = self.model.vocab().id_bound() as u32;
        for t in &mut self.added_tokens {
            t.id = match self.model.vocab().id(&t.content) {
                Some(id) => id,
                None => {
                    next += 1;
                    next - 1
                }
            };
        }
        self.rebuild_added();
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The normalizer.
    pub fn normalizer(&self) -> Option<&Normalizer> {
        self.normalizer.as_ref()
    }

    /// The pre-tokenizer.
    pub fn pre_tokenizer(&self) -> Option<&PreTokenizer> {
        self.pre_tokenizer.as_ref()
    }

    /// The post-processor.
    pub fn post_processor(&self) -> Option<&PostProcessor> {
        self.post_processor.as_ref()
    }

    /// The decoder.
    pub fn decoder(&self) -> Option<&Decoder> {
        self.decoder.as_ref()
    }

    /// Truncation settings.
    pub fn truncation(&self) -> Option<&TruncationParams> {
        self.truncation.as_ref()
    }

    /// Padding settings.
    pub fn padding(&self) -> Option<&PaddingParams> {
        self.padding.as_ref()
    }

    /// The added tokens, in the order they were added.
    pub fn added_tokens(&self) -> &[AddedToken] {
        &self.added_tokens
    }

    /// Adds tokens matched before the model runs; a token already in the model vocabulary
    /// keeps its id, a new one gets the next free id. Returns how many were new.
    /// (Hugging Face `add_tokens` / `add_special_tokens`.)
    pub fn add_tokens(&mut self, tokens: &[AddedToken]) -> usize {
        let mut added = 0;
        for t in tokens {
            if self.added_tokens.iter().any(|a| a.content == t.content) {
                continue;
            }
            let mut t = t.clone();
            t.id = match self.model.vocab().id(&t.content) {
                Some(id) => id,
                None => self.table.id_bound() as u32 + added as u32,
            };
            self.added_tokens.push(t);
            added += 1;
        }
        self.rebuild_added();
        added
    }

    /// Adds special tokens (raw-text matched, skipped when decoding with
    /// `skip_special_tokens`); returns how many were new.
    pub fn add_special_tokens(&mut self, contents: &[&str]) -> usize {
        let toks: Vec<AddedToken> = contents
            .iter()
            .map(|c| AddedToken {
                id: 0,
                content: (*c).to_owned(),
                single_word: false,
                lstrip: false,
                rstrip: false,
                normalized: false,
                special: true,
            })
            .collect();
        self.add_tokens(&toks)
    }

    /// Installs `tokens` with their ids as given (used when loading `tokenizer.json`).
    pub(crate) fn set_added_tokens(&mut self, tokens: Vec<AddedToken>) {
        self.added_tokens = tokens;
        self.rebuild_added();
    }

    fn rebuild_added(&mut self) {
        self.raw_matcher = Matcher::new(&self.added_tokens, false);
        self.norm_matcher = Matcher::new(&self.added_tokens, true);
        self.special = self
            .added_tokens
            .iter()
            .filter(|t| t.special)
            .map(|t| t.content.clone())
            .collect();
        let model = self.model.vocab();
        let pairs = model
            .iter()
            .map(|(id, t)| (t.to_owned(), id))
            .chain(self.added_tokens.iter().map(|t| (t.content.clone(), t.id)));
        let table = Vocab::from_pairs(pairs, "added_tokens").unwrap_or_else(|_| model.clone());
        self.table = Arc::new(table);
    }

    /// Vocabulary size, optionally counting added tokens not in the model.
    pub fn get_vocab_size(&self, with_added_tokens: bool) -> usize {
        if with_added_tokens {
            self.table.len()
        } else {
            self.model.vocab().len()
        }
    }

    /// The id of `token` (added tokens included).
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.table.id(token)
    }

    /// The token with `id` (added tokens included).
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.table.token(id)
    }

    fn push_piece(&self, text: &str, base: usize, out: &mut PreTokenizedString) {
        let mut n = NormalizedString::new(text, base);
        if let Some(norm) = &self.normalizer {
            norm.normalize(&mut n);
        }
        let offset = out.normalized.len();
        let matches = self.norm_matcher.find(n.get(), &self.added_tokens);
        if matches.is_empty() {
            if !n.is_empty() {
                out.splits.push(Split {
                    start: offset,
                    end: offset + n.len(),
                    added: None,
                });
            }
        } else {
            out.splits
                .extend(matches.into_iter().map(|(id, s, e)| Split {
                    start: offset + s,
                    end: offset + e,
                    added: id,
                }));
        }
        if offset == 0 {
            out.normalized = n;
        } else {
            out.normalized.append(&n);
        }
    }

    /// Runs added-token matching, normalization and pre-tokenization on `text`.
    pub fn pre_tokenize(&self, text: &str) -> PreTokenizedString {
        let mut pts = PreTokenizedString::default();
        let raw = self.raw_matcher.find(text, &self.added_tokens);
        if raw.is_empty() {
            self.push_piece(text, 0, &mut pts);
        } else {
            for (id, s, e) in raw {
                match id {
                    None => self.push_piece(&text[s..e], s, &mut pts),
                    Some(id) => {
                        let start = pts.normalized.len();
                        pts.normalized
                            .append(&NormalizedString::new(&text[s..e], s));
                        pts.splits.push(Split {
                            start,
                            end: pts.normalized.len(),
                            added: Some(id),
                        });
                    }
                }
            }
        }
        if let Some(p) = &self.pre_tokenizer {
            p.pre_tokenize(&mut pts);
        }
        pts
    }

    /// Tokenizes one sequence without truncation, special tokens or padding; every token
    /// gets `type_id` (1 for the second text of a pair, as in Hugging Face).
    fn encode_sequence(&self, text: &str, type_id: u32) -> Result<Encoding> {
        if text.len() >= u32::MAX as usize {
            return Err(TextError::InputTooLong { len: text.len() });
        }
        let pts = self.pre_tokenize(text);
        let norm = &pts.normalized;
        let s = norm.get();
        let mut enc = Encoding::empty(
            self.table.clone(),
            pts.splits.len() + pts.splits.len() / 4 + 2,
        );
        let mut pieces: Vec<Piece> = Vec::with_capacity(16);
        let raw_id = self.model.raw_text_id();
        for (w, sp) in pts.splits.iter().enumerate() {
            let word = Some(w as u32);
            if let Some(id) = sp.added {
                enc.push(
                    id,
                    type_id,
                    norm.original_range(sp.start, sp.end),
                    word,
                    false,
                );
                continue;
            }
            pieces.clear();
            self.model.tokenize_into(&s[sp.start..sp.end], &mut pieces);
            for p in &pieces {
                let (start, end) = (sp.start + p.start, sp.start + p.end);
                let o = norm.original_range(start, end);
                if Some(p.id) == raw_id && self.table.token(p.id) != Some(&s[start..end]) {
                    enc.push_text(p.id, type_id, o, word, &s[start..end]);
                } else {
                    enc.push(p.id, type_id, o, word, false);
                }
            }
        }
        Ok(enc)
    }

    fn post_process(
        &self,
        enc: Encoding,
        pair: Option<Encoding>,
        add_special_tokens: bool,
        texts: (&str, Option<&str>),
    ) -> Result<Encoding> {
        let (enc, pair) = match &self.truncation {
            Some(t) => {
                let added = match (&self.post_processor, add_special_tokens) {
                    (Some(p), true) => p.added_tokens(pair.is_some()),
                    _ => 0,
                };
                let mut p = *t;
                p.max_length = t.max_length.checked_sub(added).ok_or_else(|| {
                    TextError::config(
                        "truncation.max_length",
                        format!(
                            "{} is smaller than the {added} special tokens",
                            t.max_length
                        ),
                    )
                })?;
                truncate_encodings(enc, pair, &p)?
            }
            None => (enc, pair),
        };
        let mut out = match &self.post_processor {
            Some(p) => p.process(enc, pair, add_special_tokens, &self.table, texts),
            None => {
                let mut e = enc;
                if let Some(b) = pair {
                    e.merge_with(b, false);
                }
                e
            }
        };
        if let Some(p) = &self.padding {
            pad_encodings(std::slice::from_mut(&mut out), p)?;
        }
        Ok(out)
    }

    /// Encodes one text (Hugging Face `encode(text, add_special_tokens=...)`).
    pub fn encode(&self, text: &str, add_special_tokens: bool) -> Result<Encoding> {
        let enc = self.encode_sequence(text, 0)?;
        self.post_process(enc, None, add_special_tokens, (text, None))
    }

    /// Encodes a pair of texts (Hugging Face `encode(a, b)`).
    pub fn encode_pair(&self, a: &str, b: &str, add_special_tokens: bool) -> Result<Encoding> {
        let ea = self.encode_sequence(a, 0)?;
        let eb = self.encode_sequence(b, 1)?;
        self.post_process(ea, Some(eb), add_special_tokens, (a, Some(b)))
    }

    /// Encodes `bytes`, which must be UTF-8.
    pub fn encode_bytes(&self, bytes: &[u8], add_special_tokens: bool) -> Result<Encoding> {
        let text = std::str::from_utf8(bytes).map_err(|e| TextError::InvalidUtf8 {
            valid_up_to: e.valid_up_to(),
        })?;
        self.encode(text, add_special_tokens)
    }

    /// Encodes many texts in parallel (rayon) and pads them together
    /// (Hugging Face `encode_batch`).
    pub fn encode_batch<S: AsRef<str> + Sync>(
        &self,
        texts: &[S],
        add_special_tokens: bool,
    ) -> Result<Vec<Encoding>> {
        let mut encs = texts
            .par_iter()
            .map(|t| self.encode(t.as_ref(), add_special_tokens))
            .collect::<Result<Vec<_>>>()?;
        if let Some(p) = &self.padding {
            pad_encodings(&mut encs, p)?;
        }
        Ok(encs)
    }

    /// Encodes many pairs in parallel and pads them together.
    pub fn encode_batch_pairs<A: AsRef<str> + Sync, B: AsRef<str> + Sync>(
        &self,
        pairs: &[(A, B)],
        add_special_tokens: bool,
    ) -> Result<Vec<Encoding>> {
        let mut encs = pairs
            .par_iter()
            .map(|(a, b)| self.encode_pair(a.as_ref(), b.as_ref(), add_special_tokens))
            .collect::<Result<Vec<_>>>()?;
        if let Some(p) = &self.padding {
            pad_encodings(&mut encs, p)?;
        }
        Ok(encs)
    }

    /// Turns ids back into text (Hugging Face `decode`); unknown ids are skipped.
    pub fn decode(&self, ids: &[u32], skip_special_tokens: bool) -> String {
        let tokens: Vec<String> = ids
            .iter()
            .filter_map(|&id| self.table.token(id))
            .filter(|t| !skip_special_tokens || !self.special.contains(*t))
            .map(str::to_owned)
            .collect();
        match &self.decoder {
            Some(d) => d.decode(tokens),
            None => tokens.join(" "),
        }
    }

    /// Decodes many id sequences in parallel.
    pub fn decode_batch(&self, batch: &[Vec<u32>], skip_special_tokens: bool) -> Vec<String> {
        batch
            .par_iter()
            .map(|ids| self.decode(ids, skip_special_tokens))
            .collect()
    }
}
