//! The ByteLevel post-processor: trims the spaces that byte-level tokens carry from offsets.

use crate::models::Vocab;
use crate::pre_tokenizers::bytes_to_chars;
use crate::tokenizer::Encoding;

/// Moves each token's offsets past its leading/trailing spaces (`Ġ`), keeping the one space
/// that `add_prefix_space` added to the first token (Hugging Face `process_offsets`).
pub fn trim_offsets(enc: &mut Encoding, add_prefix_space: bool, table: &Vocab) {
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
            o.0 = (o.0 + lead).min(o.1);
        }
        if trail > 0 && o.1 >= trail {
            o.1 = (o.1 - trail).max(o.0);
        }
    }
    for o in &mut enc.overflowing {
        trim_offsets(o, add_prefix_space, table);
    }
}
