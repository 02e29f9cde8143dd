//! The Unigram model: the most probable segmentation of a word under per-piece log
//! probabilities (SentencePiece's unigram language model).

use super::trie::PieceTrie;
use crate::error::{Result, TextError};
use crate::models::{Piece, Vocab};

/// The penalty below the lowest piece score that an unknown character costs
/// (Hugging Face's and SentencePiece's `kUnkPenalty`).
pub const UNK_PENALTY: f64 = 10.0;

/// A SentencePiece-style unigram model (Hugging Face `models.Unigram`).
///
/// Each piece has a score, the log of its probability (≤ 0 for trained models, though any
/// finite number is accepted as Hugging Face does). A word is split by Viterbi search into
/// the pieces whose scores sum highest; a character that starts no piece of its own length
/// costs `min_score - 10` ([`UNK_PENALTY`]) and becomes `unk_id`, and neighbouring unknown
/// characters fuse into one unknown token (Hugging Face's `fuse_unk`, always on for Unigram).
/// With `byte_fallback`, an unknown span becomes its UTF-8 bytes as `<0xNN>` pieces, all
/// carrying the span's offsets, when the vocabulary has every one of them.
///
/// Ties go to the first candidate found (shorter pieces, then the unknown candidate), exactly
/// as Hugging Face's `encode_optimized` breaks them.
#[derive(Debug, Clone, PartialEq)]
pub struct Unigram {
    pieces: Vec<(String, f64)>,
    vocab: Vocab,
    trie: PieceTrie,
    min_score: f64,
    unk_id: u32,
    byte_fallback: bool,
    byte_ids: Option<Box<[u32; 256]>>,
}

/// One cell of the Viterbi table: the best path ending at this byte.
#[derive(Clone, Copy)]
struct Best {
    score: f64,
    id: u32,
    start: u32,
}

const UNSET: u32 = u32::MAX;

/// The largest Viterbi table (cells) a thread keeps between words (1 MiB).
const SCRATCH_KEEP: usize = 1 << 16;

/// Per-thread buffers reused across words: the Viterbi table and the chosen spans.
type Scratch = (Vec<Best>, Vec<(usize, usize, u32)>);

impl Unigram {
    /// Builds the model from `(piece, score)` in id order, the id of the unknown piece, and
    /// whether to fall back to `<0xNN>` byte pieces (Hugging Face `Unigram(vocab, unk_id,
    /// byte_fallback)`).
    ///
    /// Fails, naming the `tokenizer.json` field, on an empty vocabulary (`model.vocab`), a NaN
    /// or infinite score (`model.vocab[i]`) or an `unk_id` past the end (`model.unk_id`).
    /// Positive scores are accepted, as in Hugging Face.
    pub fn new(pieces: Vec<(String, f64)>, unk_id: usize, byte_fallback: bool) -> Result<Self> {
        if pieces.is_empty() {
            return Err(TextError::config(
                "model.vocab",
                "the vocabulary is empty but at least the unknown piece is needed",
            ));
        }
        if unk_id >= pieces.len() {
            return Err(TextError::config(
                "model.unk_id",
                format!(
                    "{unk_id} is not the id of a piece (the vocabulary has {})",
                    pieces.len()
                ),
            ));
        }
        if pieces.len() >= u32::MAX as usize {
            return Err(TextError::config(
                "model.vocab",
                "more than 2^32 - 1 pieces",
            ));
        }
        let mut min_score = f64::INFINITY;
        for (i, (p, s)) in pieces.iter().enumerate() {
            if !s.is_finite() {
                return Err(TextError::config(
                    format!("model.vocab[{i}]"),
                    format!("the score of {p:?} is {s}, not a finite number"),
                ));
            }
            min_score = min_score.min(*s);
        }
        let vocab = Vocab::from_pairs(
            pieces
                .iter()
                .enumerate()
                .map(|(i, p)| (p.0.clone(), i as u32)),
            "model.vocab",
        )?;
        let trie = PieceTrie::build(
            pieces
                .iter()
                .enumerate()
                .map(|(i, p)| (p.0.as_str(), i as u32)),
        );
        let byte_ids = (0..=255u8)
            .map(|b| vocab.id(&byte_piece(b)))
            .collect::<Option<Vec<u32>>>()
            .and_then(|v| <Box<[u32; 256]>>::try_from(v.into_boxed_slice()).ok());
        Ok(Unigram {
            pieces,
            vocab,
            trie,
            min_score,
            unk_id: unk_id as u32,
            byte_fallback,
            byte_ids,
        })
    }

    /// The vocabulary (piece → id). A piece listed twice maps to its last id, as in Hugging
    /// Face; the earlier id then has no token in this table.
    pub fn vocab(&self) -> &Vocab {
        &self.vocab
    }

    /// The pieces and their scores, in id order.
    pub fn pieces(&self) -> &[(String, f64)] {
        &self.pieces
    }

    /// The id of the unknown piece.
    pub fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// Whether unknown spans fall back to `<0xNN>` byte pieces.
    pub fn byte_fallback(&self) -> bool {
        self.byte_fallback
    }

    /// The lowest piece score; unknown characters cost this minus [`UNK_PENALTY`].
    pub fn min_score(&self) -> f64 {
        self.min_score
    }

    /// The id of `token` (Hugging Face `token_to_id`).
    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.vocab.id(token)
    }

    /// The piece with `id` (Hugging Face `id_to_token`).
    pub fn id_to_token(&self, id: u32) -> Option<&str> {
        self.pieces.get(id as usize).map(|p| p.0.as_str())
    }

    /// The best segmentation of `word` as `(start, end, id)` byte spans, unknown characters
    /// fused into one span whose id is `unk_id` (Hugging Face `Unigram::encode`).
    pub fn segment(&self, word: &str) -> Vec<(usize, usize, u32)> {
        let mut out = Vec::new();
        self.segment_into(word, &mut Vec::new(), &mut out);
        out
    }

    fn segment_into(&self, word: &str, best: &mut Vec<Best>, out: &mut Vec<(usize, usize, u32)>) {
        out.clear();
        let bytes = word.as_bytes();
        let size = bytes.len();
        if size == 0 {
            return;
        }
        let unk_score = self.min_score - UNK_PENALTY;
        best.clear();
        best.resize(
            size + 1,
            Best {
                score: 0.0,
                id: 0,
                start: UNSET,
            },
        );
        let mut start = 0usize;
        while start < size {
            let here = best[start].score;
            let mblen = utf8_len(bytes[start]);
            let mut single = false;
            self.trie.prefixes(&bytes[start..], |len, id| {
                let cand = here + self.pieces[id as usize].1;
                let t = &mut best[start + len];
                if t.start == UNSET || cand > t.score {
                    *t = Best {
                        score: cand,
                        id,
                        start: start as u32,
                    };
                }
                single |= len == mblen;
            });
            if !single {
                let cand = here + unk_score;
                let t = &mut best[start + mblen];
                if t.start == UNSET || cand > t.score {
                    *t = Best {
                        score: cand,
                        id: self.unk_id,
                        start: start as u32,
                    };
                }
            }
            start += mblen;
        }
        // Walk back from the end; runs of unknown nodes fuse into one span.
        let mut end = size;
        let mut unk_end: Option<usize> = None;
        while end > 0 {
            let b = best[end];
            let s = b.start as usize;
            if b.id == self.unk_id {
                unk_end.get_or_insert(end);
            } else {
                if let Some(e) = unk_end.take() {
                    out.push((end, e, self.unk_id));
                }
                out.push((s, end, b.id));
            }
            end = s;
        }
        if let Some(e) = unk_end {
            out.push((0, e, self.unk_id));
        }
        out.reverse();
    }

    /// Splits one word, appending its pieces (byte ranges inside `word`) to `out`
    /// (Hugging Face `Unigram::tokenize`).
    pub fn tokenize_into(&self, word: &str, out: &mut Vec<Piece>) {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Scratch> =
                const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let (best, spans) = &mut *s;
            self.segment_into(word, best, spans);
            // A huge word (megabytes without a space) must not keep its table alive.
            if best.capacity() > SCRATCH_KEEP {
                *best = Vec::new();
            }
            for &(start, end, id) in spans.iter() {
                if id != self.unk_id {
                    out.push(Piece { id, start, end });
                    continue;
                }
                // A fused unknown span may still spell a piece (the unknown piece's own text).
                if let Some(id) = self.vocab.id(&word[start..end]) {
                    out.push(Piece { id, start, end });
                } else if let (true, Some(ids)) = (self.byte_fallback, &self.byte_ids) {
                    out.extend(word[start..end].bytes().map(|b| Piece {
                        id: ids[b as usize],
                        start,
                        end,
                    }));
                } else {
                    out.push(Piece {
                        id: self.unk_id,
                        start,
                        end,
                    });
                }
            }
        });
    }
}

/// The piece that stands for byte `b` under byte fallback: `<0xNN>`, upper-case hex.
pub fn byte_piece(b: u8) -> String {
    format!("<0x{b:02X}>")
}

/// Length of the UTF-8 sequence that starts with `b` (1 for a continuation byte, which a
/// `&str` never starts a character with).
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xff => 4,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(pieces: &[(&str, f64)], byte_fallback: bool) -> Unigram {
        let p = pieces.iter().map(|(s, v)| (s.to_string(), *v)).collect();
        Unigram::new(p, 0, byte_fallback).unwrap()
    }

    fn strings(m: &Unigram, w: &str) -> Vec<String> {
        m.segment(w)
            .into_iter()
            .map(|(s, e, _)| w[s..e].to_owned())
            .collect()
    }

    #[test]
    fn viterbi_like_hf_doc_example() {
        // Hugging Face's doc test of `Unigram::encode`.
        let m = model(
            &[
                ("<unk>", 0.0),
                ("a", 0.0),
                ("b", 0.0),
                ("c", 0.0),
                ("d", 0.0),
                ("cd", 1.0),
                ("ab", 2.0),
                ("abc", 5.0),
                ("abcd", 10.0),
            ],
            false,
        );
        assert_eq!(strings(&m, "abcdacdxx"), ["abcd", "a", "cd", "xx"]);
        let mut out = Vec::new();
        m.tokenize_into("abcdacdxx", &mut out);
        assert_eq!(
            out.last(),
            Some(&Piece {
                id: 0,
                start: 7,
                end: 9
            })
        );
    }

    #[test]
    fn byte_fallback_spans_share_offsets() {
        let mut p: Vec<(String, f64)> = vec![("<unk>".into(), 0.0), ("a".into(), -1.0)];
        p.extend((0..=255u8).map(|b| (byte_piece(b), -5.0)));
        let m = Unigram::new(p, 0, true).unwrap();
        let mut out = Vec::new();
        m.tokenize_into("aé", &mut out);
        let ids: Vec<u32> = out.iter().map(|p| p.id).collect();
        assert_eq!(ids, [1, 2 + 0xc3, 2 + 0xa9]);
        assert_eq!((out[1].start, out[1].end), (1, 3));
        assert_eq!((out[2].start, out[2].end), (1, 3));
    }

    #[test]
    fn rejects_bad_vocabularies() {
        assert!(Unigram::new(vec![], 0, false).is_err());
        assert!(Unigram::new(vec![("a".into(), 0.0)], 1, false).is_err());
        let e = Unigram::new(vec![("a".into(), 0.0), ("b".into(), f64::NAN)], 0, false);
        assert!(e.unwrap_err().to_string().contains("model.vocab[1]"));
        assert!(Unigram::new(vec![("a".into(), f64::NEG_INFINITY)], 0, false).is_err());
        assert!(Unigram::new(vec![("a".into(), 3.0)], 0, false).is_ok());
    }
}
