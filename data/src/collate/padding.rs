//! Dynamic padding of token sequences into `[B, L]` id / mask tensors
//! (Hugging Face `DataCollatorWithPadding`).

use kiln_tensor::Tensor;

use super::Collate;

/// One tokenized example: token ids, optional segment ids and an optional class label.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TokenSequence {
    /// Token ids (`input_ids`).
    pub input_ids: Vec<i64>,
    /// Segment ids (`token_type_ids`), as long as `input_ids` when present.
    pub token_type_ids: Option<Vec<i64>>,
    /// Class label (`labels`).
    pub label: Option<i64>,
}

impl From<Vec<i64>> for TokenSequence {
    fn from(input_ids: Vec<i64>) -> Self {
        TokenSequence {
            input_ids,
            ..Default::default()
        }
    }
}

impl From<(Vec<i64>, i64)> for TokenSequence {
    fn from((input_ids, label): (Vec<i64>, i64)) -> Self {
        TokenSequence {
            input_ids,
            token_type_ids: None,
            label: Some(label),
        }
    }
}

/// A padded batch, the dict a Hugging Face collator returns; every tensor is i64.
#[derive(Clone, Debug)]
pub struct TokenBatch {
    /// `[B, L]` token ids, padded with the pad id.
    pub input_ids: Tensor,
    /// `[B, L]`: 1 on real tokens, 0 on padding.
    pub attention_mask: Tensor,
    /// `[B, L]` segment ids padded with 0, when the items carry them.
    pub token_type_ids: Option<Tensor>,
    /// `[B]` labels, when the items carry them.
    pub labels: Option<Tensor>,
}

/// Target length of a padded batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Pad to the longest sequence of the batch (`padding="longest"`, dynamic padding).
    Longest,
    /// Pad every batch to this length (`padding="max_length", max_length=…`).
    MaxLength(usize),
}

/// Pads token sequences on the right into [`TokenBatch`]es (Hugging Face
/// `DataCollatorWithPadding` plus the tokenizer's `truncation=True, max_length=…`).
///
/// Defaults: pad to the batch's longest, pad id 0 (BERT's `[PAD]`), no truncation.
#[derive(Clone, Debug, PartialEq)]
pub struct DataCollatorWithPadding {
    padding: Padding,
    truncation: Option<usize>,
    pad_token_id: i64,
    pad_to_multiple_of: Option<usize>,
}

impl Default for DataCollatorWithPadding {
    fn default() -> Self {
        DataCollatorWithPadding {
            padding: Padding::Longest,
            truncation: None,
            pad_token_id: 0,
            pad_to_multiple_of: None,
        }
    }
}

impl DataCollatorWithPadding {
    /// Dynamic padding to the longest sequence with pad id 0.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pads every batch to `max_length` (`padding="max_length", max_length=…`).
    pub fn with_max_length_padding(mut self, max_length: usize) -> Self {
        self.padding = Padding::MaxLength(max_length);
        self
    }

    /// Cuts sequences longer than `max_length` (keeps the first `max_length` tokens), as
    /// the tokenizer's `truncation=True, max_length=…`.
    pub fn with_truncation(mut self, max_length: usize) -> Self {
        self.truncation = Some(max_length);
        self
    }

    /// The id written into padding positions (`tokenizer.pad_token_id`).
    pub fn with_pad_token_id(mut self, pad_token_id: i64) -> Self {
        self.pad_token_id = pad_token_id;
        self
    }

    /// Rounds the padded length up to a multiple of `multiple` (`pad_to_multiple_of`).
    pub fn with_pad_to_multiple_of(mut self, multiple: usize) -> Self {
        self.pad_to_multiple_of = Some(multiple.max(1));
        self
    }

    /// Pads `items` into a batch; panics when only some items carry labels or segment ids,
    /// when segment ids differ in length from the ids, or when a sequence exceeds
    /// `max_length` under max-length padding without truncation.
    pub fn pad(&self, items: Vec<TokenSequence>) -> TokenBatch {
        let b = items.len();
        let cut = |len: usize| self.truncation.map_or(len, |m| len.min(m));
        let longest = items
            .iter()
            .map(|s| cut(s.input_ids.len()))
            .max()
            .unwrap_or(0);
        let mut len = match self.padding {
            Padding::MaxLength(m) => {
                assert!(
                    longest <= m,
                    "DataCollatorWithPadding: a sequence of {longest} tokens exceeds max_length={m}; enable truncation"
                );
                m
            }
            Padding::Longest => longest,
        };
        if let Some(k) = self.pad_to_multiple_of {
            len = len.div_ceil(k) * k;
        }
        let with_types = items.first().is_some_and(|s| s.token_type_ids.is_some());
        let with_labels = items.first().is_some_and(|s| s.label.is_some());
        let mut ids = vec![self.pad_token_id; b * len];
        let mut mask = vec![0i64; b * len];
        let mut types = vec![0i64; if with_types { b * len } else { 0 }];
        let mut labels = Vec::with_capacity(b);
        for (r, item) in items.into_iter().enumerate() {
            let n = cut(item.input_ids.len());
            ids[r * len..r * len + n].copy_from_slice(&item.input_ids[..n]);
            mask[r * len..r * len + n].fill(1);
            match (with_types, item.token_type_ids) {
                (true, Some(t)) => {
                    assert_eq!(
                        t.len(),
                        item.input_ids.len(),
                        "DataCollatorWithPadding: item {r} has {} token_type_ids for {} input_ids",
                        t.len(),
                        item.input_ids.len()
                    );
                    types[r * len..r * len + n].copy_from_slice(&t[..n]);
                }
                (false, None) => {}
                _ => panic!(
                    "DataCollatorWithPadding: item {r} differs from item 0 in having token_type_ids"
                ),
            }
            match (with_labels, item.label) {
                (true, Some(l)) => labels.push(l),
                (false, None) => {}
                _ => panic!(
                    "DataCollatorWithPadding: item {r} differs from item 0 in having a label"
                ),
            }
        }
        TokenBatch {
            input_ids: Tensor::from_vec(ids, [b, len]),
            attention_mask: Tensor::from_vec(mask, [b, len]),
            token_type_ids: with_types.then(|| Tensor::from_vec(types, [b, len])),
            labels: with_labels.then(|| Tensor::from_vec(labels, [b])),
        }
    }
}

impl<I: Into<TokenSequence> + Send> Collate<I> for DataCollatorWithPadding {
    type Batch = TokenBatch;

    fn collate(&self, items: Vec<I>) -> TokenBatch {
        self.pad(items.into_iter().map(Into::into).collect())
    }
}
