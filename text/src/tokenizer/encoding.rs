//! [`Encoding`]: the output of a tokenizer for one input (or one pair of inputs).

use crate::error::{Result, TextError};
use crate::models::Vocab;
use crate::utils::padding::PaddingDirection;
use crate::utils::truncation::TruncationDirection;
use std::sync::Arc;

/// Token ids and everything aligned with them (Hugging Face `Encoding`).
///
/// Offsets are **byte** ranges into the original input string (Hugging Face's Rust
/// `OffsetType::Byte`); [`Encoding::char_offsets`] gives the character offsets that the
/// Python package reports. Token strings are not stored: [`Encoding::tokens`] reads them from
/// the tokenizer's id → token table, so encoding allocates nothing per token. The one
/// exception is a Unigram unknown token, whose string is the text it covers (as in Hugging
/// Face, where `tokens` shows `"中文"` rather than `"<unk>"`); those strings are kept aside.
#[derive(Debug, Clone, Default)]
pub struct Encoding {
    pub(crate) ids: Vec<u32>,
    pub(crate) type_ids: Vec<u32>,
    pub(crate) offsets: Vec<(usize, usize)>,
    pub(crate) special_tokens_mask: Vec<u32>,
    pub(crate) attention_mask: Vec<u32>,
    pub(crate) word_ids: Vec<Option<u32>>,
    pub(crate) overflowing: Vec<Encoding>,
    pub(crate) table: Arc<Vocab>,
    /// Empty, or one entry per token: `Some(text)` where the token string is not the table's.
    pub(crate) texts: Vec<Option<Box<str>>>,
}

impl PartialEq for Encoding {
    fn eq(&self, o: &Self) -> bool {
        self.ids == o.ids
            && self.type_ids == o.type_ids
            && self.offsets == o.offsets
            && self.special_tokens_mask == o.special_tokens_mask
            && self.attention_mask == o.attention_mask
            && self.word_ids == o.word_ids
            && self.overflowing == o.overflowing
            && self.tokens() == o.tokens()
    }
}

impl Encoding {
    /// An empty encoding whose tokens are looked up in `table`.
    pub(crate) fn empty(table: Arc<Vocab>, capacity: usize) -> Self {
        Encoding {
            ids: Vec::with_capacity(capacity),
            type_ids: Vec::with_capacity(capacity),
            offsets: Vec::with_capacity(capacity),
            special_tokens_mask: Vec::with_capacity(capacity),
            attention_mask: Vec::with_capacity(capacity),
            word_ids: Vec::with_capacity(capacity),
            overflowing: Vec::new(),
            table,
            texts: Vec::new(),
        }
    }

    /// Appends one token.
    pub(crate) fn push(
        &mut self,
        id: u32,
        type_id: u32,
        offsets: (usize, usize),
        word: Option<u32>,
        special: bool,
    ) {
        self.ids.push(id);
        self.type_ids.push(type_id);
        self.offsets.push(offsets);
        self.special_tokens_mask.push(u32::from(special));
        self.attention_mask.push(1);
        self.word_ids.push(word);
        if !self.texts.is_empty() {
            self.texts.push(None);
        }
    }

    /// Appends one token whose string is `text` rather than the table's token for `id`.
    pub(crate) fn push_text(
        &mut self,
        id: u32,
        type_id: u32,
        offsets: (usize, usize),
        word: Option<u32>,
        text: &str,
    ) {
        self.push(id, type_id, offsets, word, false);
        self.texts.resize(self.ids.len() - 1, None);
        self.texts.push(Some(text.into()));
    }

    /// Number of tokens (padding included).
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are no tokens.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Token ids (`input_ids`).
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Segment ids (`token_type_ids`): 0 for the first sequence, 1 for the second in BERT.
    pub fn type_ids(&self) -> &[u32] {
        &self.type_ids
    }

    /// The token strings.
    pub fn tokens(&self) -> Vec<&str> {
        self.ids
            .iter()
            .enumerate()
            .map(|(i, &id)| match self.texts.get(i) {
                Some(Some(t)) => t,
                _ => self.table.token(id).unwrap_or(""),
            })
            .collect()
    }

    /// Byte ranges into the original input; `(0, 0)` for special and padding tokens.
    pub fn offsets(&self) -> &[(usize, usize)] {
        &self.offsets
    }

    /// The offsets as character (Unicode scalar) positions in `text`, the input this
    /// encoding came from, as Hugging Face's Python package reports them.
    pub fn char_offsets(&self, text: &str) -> Vec<(usize, usize)> {
        let mut byte_to_char = vec![0usize; text.len() + 1];
        let mut n = 0;
        for (i, c) in text.char_indices() {
            for k in 0..c.len_utf8() {
                byte_to_char[i + k] = n;
            }
            n += 1;
        }
        byte_to_char[text.len()] = n;
        let at = |b: usize| byte_to_char.get(b).copied().unwrap_or(n);
        self.offsets.iter().map(|&(s, e)| (at(s), at(e))).collect()
    }

    /// 1 for special tokens (`[CLS]`, `[SEP]`, padding), 0 for text tokens.
    pub fn special_tokens_mask(&self) -> &[u32] {
        &self.special_tokens_mask
    }

    /// 1 for real tokens, 0 for padding.
    pub fn attention_mask(&self) -> &[u32] {
        &self.attention_mask
    }

    /// Index of the pre-tokenized word each token comes from; `None` for special tokens.
    pub fn word_ids(&self) -> &[Option<u32>] {
        &self.word_ids
    }

    /// The parts cut off by truncation, each a full encoding (Hugging Face `overflowing`).
    pub fn overflowing(&self) -> &[Encoding] {
        &self.overflowing
    }

    /// Sets every type id to `type_id` (not those of the overflowing parts, as in Hugging Face).
    pub(crate) fn set_type_ids(&mut self, type_id: u32) {
        self.type_ids.iter_mut().for_each(|t| *t = type_id);
    }

    fn slice(&self, start: usize, stop: usize) -> Encoding {
        Encoding {
            ids: self.ids[start..stop].to_vec(),
            type_ids: self.type_ids[start..stop].to_vec(),
            offsets: self.offsets[start..stop].to_vec(),
            special_tokens_mask: self.special_tokens_mask[start..stop].to_vec(),
            attention_mask: self.attention_mask[start..stop].to_vec(),
            word_ids: self.word_ids[start..stop].to_vec(),
            overflowing: Vec::new(),
            table: self.table.clone(),
            texts: self
                .texts
                .get(start..stop)
                .map_or(Vec::new(), <[_]>::to_vec),
        }
    }

    /// Keeps at most `max_len` tokens; the rest goes to [`Encoding::overflowing`] as windows
    /// of `max_len` tokens that overlap by `stride` (Hugging Face `Encoding.truncate`).
    /// Fails if `stride >= max_len > 0`.
    pub fn truncate(
        &mut self,
        max_len: usize,
        stride: usize,
        direction: TruncationDirection,
    ) -> Result<()> {
        let len = self.ids.len();
        if max_len >= len {
            return Ok(());
        }
        if max_len == 0 {
            let all = std::mem::replace(self, Encoding::empty(self.table.clone(), 0));
            self.overflowing.push(all);
            return Ok(());
        }
        if stride >= max_len {
            return Err(TextError::config(
                "truncation.stride",
                format!(
                    "stride {stride} must be smaller than the length {max_len} left after special tokens"
                ),
            ));
        }
        let step = max_len - stride;
        let mut parts = Vec::new();
        match direction {
            TruncationDirection::Right => {
                let mut start = 0;
                loop {
                    let stop = (start + max_len).min(len);
                    parts.push((start, stop));
                    if stop == len {
                        break;
                    }
                    start += step;
                }
            }
            TruncationDirection::Left => {
                let mut stop = len;
                loop {
                    let start = stop.saturating_sub(max_len);
                    parts.push((start, stop));
                    if start == 0 {
                        break;
                    }
                    stop -= step;
                }
            }
        }
        let mut first = self.slice(parts[0].0, parts[0].1);
        first.overflowing = parts[1..].iter().map(|&(s, e)| self.slice(s, e)).collect();
        *self = first;
        Ok(())
    }

    /// Appends `pair` after `self`, combining the overflowing parts of both the way Hugging
    /// Face's `Encoding.merge_with` does; with `growing_offsets` the pair's offsets are shifted
    /// past ours.
    pub fn merge_with(&mut self, pair: Encoding, growing_offsets: bool) {
        let mut overflowings = Vec::new();
        for mine in &self.overflowing {
            let mut n = mine.clone();
            n.merge_with(pair.clone(), growing_offsets);
            overflowings.push(n);
            for theirs in &pair.overflowing {
                let mut n = mine.clone();
                n.merge_with(theirs.clone(), growing_offsets);
                overflowings.push(n);
            }
        }
        for theirs in &pair.overflowing {
            let mut n = self.clone();
            n.merge_with(theirs.clone(), growing_offsets);
            overflowings.push(n);
        }
        let shift = if growing_offsets {
            self.offsets.last().map_or(0, |o| o.1)
        } else {
            0
        };
        if !self.texts.is_empty() || !pair.texts.is_empty() {
            self.texts.resize(self.ids.len(), None);
            if pair.texts.is_empty() {
                self.texts.resize(self.ids.len() + pair.ids.len(), None);
            } else {
                self.texts.extend(pair.texts);
            }
        }
        self.ids.extend(pair.ids);
        self.type_ids.extend(pair.type_ids);
        self.offsets.extend(
            pair.offsets
                .into_iter()
                .map(|(s, e)| (s + shift, e + shift)),
        );
        self.special_tokens_mask.extend(pair.special_tokens_mask);
        self.attention_mask.extend(pair.attention_mask);
        self.word_ids.extend(pair.word_ids);
        self.overflowing = overflowings;
    }

    /// Pads to `target` tokens with `pad_id` (attention 0, special 1, offsets `(0, 0)`),
    /// overflowing parts included (Hugging Face `Encoding.pad`).
    pub fn pad(
        &mut self,
        target: usize,
        pad_id: u32,
        pad_type_id: u32,
        direction: PaddingDirection,
    ) {
        for o in &mut self.overflowing {
            o.pad(target, pad_id, pad_type_id, direction);
        }
        if self.ids.len() >= target {
            return;
        }
        let n = target - self.ids.len();
        fn put<T: Clone>(v: &mut Vec<T>, x: T, n: usize, left: bool) {
            if left {
                v.splice(0..0, std::iter::repeat_n(x, n));
            } else {
                v.extend(std::iter::repeat_n(x, n));
            }
        }
        let left = direction == PaddingDirection::Left;
        put(&mut self.ids, pad_id, n, left);
        put(&mut self.type_ids, pad_type_id, n, left);
        put(&mut self.offsets, (0, 0), n, left);
        put(&mut self.special_tokens_mask, 1, n, left);
        put(&mut self.attention_mask, 0, n, left);
        put(&mut self.word_ids, None, n, left);
        if !self.texts.is_empty() {
            put(&mut self.texts, None, n, left);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(n: u32) -> Encoding {
        let mut e = Encoding::empty(Arc::new(Vocab::default()), 0);
        for i in 0..n {
            e.push(i, 0, (i as usize, i as usize + 1), Some(i), false);
        }
        e
    }

    #[test]
    fn truncate_with_stride_makes_overlapping_windows() {
        let mut e = enc(10);
        e.truncate(4, 1, TruncationDirection::Right).unwrap();
        assert_eq!(e.ids(), [0, 1, 2, 3]);
        let o: Vec<Vec<u32>> = e.overflowing().iter().map(|o| o.ids().to_vec()).collect();
        assert_eq!(o, vec![vec![3, 4, 5, 6], vec![6, 7, 8, 9]]);
        let mut l = enc(5);
        l.truncate(3, 0, TruncationDirection::Left).unwrap();
        assert_eq!(l.ids(), [2, 3, 4]);
        assert_eq!(l.overflowing()[0].ids(), [0, 1]);
        assert!(enc(5).truncate(2, 2, TruncationDirection::Right).is_err());
    }

    #[test]
    fn pad_left_and_right() {
        let mut e = enc(2);
        e.pad(4, 9, 0, PaddingDirection::Left);
        assert_eq!(e.ids(), [9, 9, 0, 1]);
        assert_eq!(e.attention_mask(), [0, 0, 1, 1]);
        assert_eq!(e.special_tokens_mask(), [1, 1, 0, 0]);
        let mut r = enc(2);
        r.pad(3, 9, 0, PaddingDirection::Right);
        assert_eq!(r.ids(), [0, 1, 9]);
    }

    #[test]
    fn own_token_texts_survive_merge_pad_and_truncate() {
        let table = Arc::new(Vocab::from_tokens(["<unk>", "a"].map(String::from)));
        let mut e = Encoding::empty(table.clone(), 0);
        e.push(1, 0, (0, 1), Some(0), false);
        e.push_text(0, 0, (1, 3), Some(1), "中");
        let mut s = Encoding::empty(table.clone(), 0);
        s.push(1, 0, (0, 0), None, true);
        s.merge_with(e, false);
        s.pad(5, 1, 0, PaddingDirection::Left);
        assert_eq!(s.tokens(), ["a", "a", "a", "a", "中"]);
        s.truncate(2, 0, TruncationDirection::Left).unwrap();
        assert_eq!(s.tokens(), ["a", "中"]);
        let over: Vec<Vec<&str>> = s.overflowing().iter().map(Encoding::tokens).collect();
        assert_eq!(over, [vec!["a", "a"], vec!["a"]]);
    }

    #[test]
    fn char_offsets_convert_bytes() {
        let mut e = enc(0);
        e.push(0, 0, (0, 2), None, false);
        e.push(0, 0, (3, 6), None, false);
        assert_eq!(e.char_offsets("é 中"), [(0, 1), (2, 3)]);
    }
}
