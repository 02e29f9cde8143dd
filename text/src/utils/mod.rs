//! Shared pieces: character classes, patterns, padding and truncation.

pub mod chars;
pub mod padding;
pub mod pattern;
pub mod truncation;
