//! Small character-level normalizers: Lowercase, StripAccents, Strip, Prepend.

use super::NormalizedString;
use crate::utils::chars::{self, MARK_NONSPACING};
use serde::{Deserialize, Serialize};

/// Lowercases every character (Hugging Face `normalizers.Lowercase`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lowercase;

impl Lowercase {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        n.map_chars(|c, out| out.extend(c.to_lowercase()));
    }
}

/// Removes non-spacing marks (Hugging Face `normalizers.StripAccents`); combine it after
/// [`super::Nfd`] to turn "é" into "e".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripAccents;

impl StripAccents {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        n.map_chars(|c, out| {
            if !chars::is(c, MARK_NONSPACING) {
                out.push(c)
            }
        });
    }
}

/// Removes leading and/or trailing whitespace (Hugging Face `normalizers.Strip`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strip {
    /// Remove leading whitespace.
    pub strip_left: bool,
    /// Remove trailing whitespace.
    pub strip_right: bool,
}

impl Default for Strip {
    fn default() -> Self {
        Strip {
            strip_left: true,
            strip_right: true,
        }
    }
}

impl Strip {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        let s = n.get();
        let start = if self.strip_left {
            s.len() - s.trim_start().len()
        } else {
            0
        };
        let end = if self.strip_right {
            s.trim_end().len().max(start)
        } else {
            s.len()
        };
        if start != 0 || end != s.len() {
            n.keep_range(start, end);
        }
    }
}

/// Puts a string in front of non-empty text (Hugging Face `normalizers.Prepend`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prepend {
    /// The text to put in front, e.g. `"▁"`.
    pub prepend: String,
}

impl Prepend {
    /// Applies the normalization in place.
    pub fn normalize(&self, n: &mut NormalizedString) {
        n.prepend(&self.prepend);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_and_lowercase() {
        let mut n = NormalizedString::new("  HeLLo \n", 0);
        Strip::default().normalize(&mut n);
        Lowercase.normalize(&mut n);
        assert_eq!(n.get(), "hello");
        assert_eq!(n.original_range(0, 5), (2, 7));
        let mut blank = NormalizedString::new("   ", 0);
        Strip::default().normalize(&mut blank);
        assert_eq!(blank.get(), "");
    }

    #[test]
    fn strip_accents_only_drops_marks() {
        let mut n = NormalizedString::new("e\u{301}é", 0);
        StripAccents.normalize(&mut n);
        assert_eq!(n.get(), "eé");
    }
}
