//! ByteLevel and Metaspace decoders.

use crate::pre_tokenizers::{PrependScheme, char_to_byte};

/// Maps byte-level chars back to bytes and reads them as UTF-8, invalid sequences becoming
/// U+FFFD (Hugging Face `decoders.ByteLevel`). A token with a char outside the byte map is
/// kept as it is.
pub fn byte_level_decode(tokens: &[String]) -> String {
    let mut bytes = Vec::new();
    for t in tokens {
        let mapped: Option<Vec<u8>> = t.chars().map(char_to_byte).collect();
        match mapped {
            Some(b) => bytes.extend(b),
            None => bytes.extend_from_slice(t.as_bytes()),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Turns `replacement` back into spaces, dropping the one prepended to the first token
/// (Hugging Face `decoders.Metaspace`).
pub fn metaspace_decode(
    tokens: Vec<String>,
    replacement: char,
    scheme: PrependScheme,
) -> Vec<String> {
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let t: String = t
                .chars()
                .map(|c| if c == replacement { ' ' } else { c })
                .collect();
            if i == 0 && scheme != PrependScheme::Never {
                t.strip_prefix(' ').map(str::to_owned).unwrap_or(t)
            } else {
                t
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bytes_and_metaspace() {
        let toks = ["ĠHi", "ĠÃ©", "Ã"].map(String::from);
        assert_eq!(byte_level_decode(&toks), " Hi é\u{fffd}");
        let m = metaspace_decode(
            ["▁Hey", "▁friend"].map(String::from).to_vec(),
            '▁',
            PrependScheme::Always,
        );
        assert_eq!(m.concat(), "Hey friend");
    }
}
