//! The ByteLevel post-processor: trims the spaces that byte-level tokens carry from offsets.

use crate::models::Vocab;
use crate::pre_tokenizers::bytes_to_chars;
use crate::tokenizer::Encoding;

/// `pos` moved `n` characters forward in `text`, not past `limit`.
fn advance(text: &str, mut pos: usize, n: usize, limit: usize) -> usize {
    for _ in 0..n {
        if pos >= limit {
            break;
        }
        pos += text
            .get(pos..)
            .and_then(|t| t.chars().next())
            .map_or(1, char::len_utf8);
    }
    pos.min(limit)
}

/// `pos` moved `n` characters back in `text`, or `None` if the text has fewer.
fn retreat(text: &str, mut pos: usize, n: usize) -> Option<usize> {
    for _ in 0..n {
        pos -= text.get(..pos)?.chars().next_back()?.len_utf8();
    }
    Some(pos)
}

/// Moves each token's offsets past its leading/trailing spaces (`Ġ`), keeping the one space
/// that `add_prefix_space` added to the first token (Hugging Face `process_offsets`, counted
/// in characters of `text` as the Python package does).
pub fn trim_offsets(enc: &mut Encoding, add_prefix_space: bool, table: &Vocab, text: &str) {
    let space = bytes_to_chars()[b' ' as usize];
    let is_space = |c: &char| *c == space || c.is_whitespace();
    for i in 0..enc.ids.len() {
        let Some(tok) = table.token(enc.ids[i]) else {
            continue;
        };
        let mut lead = tok.chars().take_while(is_space).count();
        let trail = tok.chars().rev().take_while(is_space).count();
        let o = &mut enc.offsets[i];
        if lead > 0 {
            let is_first = i == 0 || o.0 == 0;
            if is_first && add_prefix_space && lead == 1 {
                lead = 0;
            }
            o.0 = advance(text, o.0, lead, o.1);
        }
        if trail > 0
            && let Some(end) = retreat(text, o.1, trail)
        {
            o.1 = end.max(o.0);
        }
    }
    for o in &mut enc.overflowing {
        trim_offsets(o, add_prefix_space, table, text);
    }
}
