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

/// Turns `replacement` back into spaces (Hugging Face `decoders.Metaspace`). Unless the
/// scheme is `never`, every `replacement` of the *first* token is dropped rather than only
/// its leading one, as Hugging Face does (`["▁a▁b", "▁c"]` decodes to `"ab c"`).
pub fn metaspace_decode(
    tokens: Vec<String>,
    replacement: char,
    scheme: PrependScheme,
) -> Vec<String> {
    tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let drop = i == 0 && scheme != PrependScheme::Never;
            t.chars()
                .filter_map(|c| match (c == replacement, drop) {
                    (true, true) => None,
                    (true, false) => Some(' '),
                    (false, _) => Some(c),
                })
                .collect()
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
        // Python (tokenizers 0.23.3): decoders.Metaspace(prepend_scheme=s).decode(
        //   ['▁a▁b', '▁c', 'd▁']) == 'ab cd ' for "always" and "first", ' a b cd ' for "never".
        let toks = ["▁a▁b", "▁c", "d▁"].map(String::from).to_vec();
        for (scheme, want) in [
            (PrependScheme::Always, "ab cd "),
            (PrependScheme::First, "ab cd "),
            (PrependScheme::Never, " a b cd "),
        ] {
            assert_eq!(metaspace_decode(toks.clone(), '▁', scheme).concat(), want);
        }
    }
}
