//! The Strip decoder (Hugging Face `decoders.Strip`).

use serde::{Deserialize, Serialize};

/// Removes up to `start` leading and up to `stop` trailing `content` characters from every
/// token (Hugging Face `decoders.Strip(content, left, right)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripDecoder {
    /// The character to remove.
    pub content: char,
    /// How many to remove at most from the start of each token.
    pub start: usize,
    /// How many to remove at most from the end of each token.
    pub stop: usize,
}

impl StripDecoder {
    /// Strips every token.
    pub fn decode_chain(&self, tokens: Vec<String>) -> Vec<String> {
        tokens
            .into_iter()
            .map(|t| {
                let chars: Vec<char> = t.chars().collect();
                let lead = chars
                    .iter()
                    .take(self.start)
                    .take_while(|&&c| c == self.content)
                    .count();
                let trail = chars[lead..]
                    .iter()
                    .rev()
                    .take(self.stop)
                    .take_while(|&&c| c == self.content)
                    .count();
                chars[lead..chars.len() - trail].iter().collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_at_most_the_counts() {
        let d = StripDecoder {
            content: ' ',
            start: 1,
            stop: 2,
        };
        let t = ["  a   ", " ", ""].map(String::from).to_vec();
        assert_eq!(d.decode_chain(t), [" a ", "", ""]);
    }
}
