//! The ByteFallback decoder (Hugging Face `decoders.ByteFallback`).

/// Turns runs of `<0xNN>` tokens back into the UTF-8 text they spell; a run that is not
/// valid UTF-8 becomes one U+FFFD per byte token. Other tokens pass unchanged
/// (Hugging Face `decoders.ByteFallback`).
pub fn byte_fallback_decode(tokens: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut run: Vec<u8> = Vec::new();
    fn flush(run: &mut Vec<u8>, out: &mut Vec<String>) {
        if run.is_empty() {
            return;
        }
        match String::from_utf8(std::mem::take(run)) {
            Ok(s) => out.push(s),
            Err(e) => out.extend(std::iter::repeat_n(
                "\u{fffd}".to_owned(),
                e.as_bytes().len(),
            )),
        }
    }
    for t in tokens {
        match byte_of(&t) {
            Some(b) => run.push(b),
            None => {
                flush(&mut run, &mut out);
                out.push(t);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}

/// The byte of a `<0xNN>` token (hex digits read as Rust's `u8::from_str_radix` reads them,
/// which is what Hugging Face uses).
fn byte_of(t: &str) -> Option<u8> {
    if t.len() == 6 && t.starts_with("<0x") && t.ends_with('>') {
        u8::from_str_radix(t.get(3..5)?, 16).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_become_text_or_replacement_chars() {
        let t = [
            "<0x61>", "<0xC3>", "<0xA9>", "x", "<0xFF>", "<0xC3>", "<0xZZ>",
        ]
        .map(String::from);
        assert_eq!(
            byte_fallback_decode(t.to_vec()),
            ["aé", "x", "\u{fffd}", "\u{fffd}", "<0xZZ>"]
        );
    }
}
