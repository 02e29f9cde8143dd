//! Turning one document into features: scikit-learn's `build_analyzer`
//! (preprocess → tokenize → stop words → word n-grams, or character n-grams).

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::Arc;

use super::config::{Analyzer, StopWords, VectorizerConfig};
use super::error::VectorizerError;
use super::preprocess::{collapse_whitespace_runs, preprocess};
use super::pyunicode::is_space;
use super::stop_words::is_english_stop_word;
use super::tokenize::TokenPattern;

/// A custom preprocessor (scikit-learn `preprocessor=callable`): replaces
/// lowercasing and accent stripping.
pub type PreprocessFn = Arc<dyn Fn(&str) -> String + Send + Sync>;
/// A custom tokenizer or analyzer (scikit-learn `tokenizer=` / `analyzer=callable`).
pub type TokensFn = Arc<dyn Fn(&str) -> Vec<String> + Send + Sync>;

/// The closures a vectorizer may carry in place of built-in steps.
#[derive(Clone, Default)]
pub(crate) struct Hooks {
    pub(crate) preprocessor: Option<PreprocessFn>,
    pub(crate) tokenizer: Option<TokensFn>,
    pub(crate) analyzer: Option<TokensFn>,
}

impl Hooks {
    /// The first hook present, by scikit-learn parameter name.
    pub(crate) fn first_present(&self) -> Option<&'static str> {
        if self.analyzer.is_some() {
            Some("analyzer")
        } else if self.tokenizer.is_some() {
            Some("tokenizer")
        } else if self.preprocessor.is_some() {
            Some("preprocessor")
        } else {
            None
        }
    }
}

impl std::fmt::Debug for Hooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hooks")
            .field("preprocessor", &self.preprocessor.is_some())
            .field("tokenizer", &self.tokenizer.is_some())
            .field("analyzer", &self.analyzer.is_some())
            .finish()
    }
}

/// Effective stop-word set.
enum StopSet {
    None,
    English,
    Custom(HashSet<String>),
}

/// Reusable buffers for [`Analysis::for_each_feature`].
#[derive(Default)]
pub(crate) struct Scratch {
    text: String,
    buf: String,
    bounds: Vec<usize>,
}

/// Everything needed to analyze documents, compiled once per call.
pub(crate) struct Analysis<'v> {
    config: &'v VectorizerConfig,
    hooks: &'v Hooks,
    pattern: TokenPattern,
    stop: StopSet,
}

impl<'v> Analysis<'v> {
    /// Validates the settings and compiles the token pattern.
    pub(crate) fn new(
        config: &'v VectorizerConfig,
        hooks: &'v Hooks,
    ) -> Result<Self, VectorizerError> {
        config.validate()?;
        let pattern = TokenPattern::compile(&config.token_pattern)?;
        let stop = match &config.stop_words {
            StopWords::None => StopSet::None,
            StopWords::English => StopSet::English,
            StopWords::List(words) => StopSet::Custom(words.iter().cloned().collect()),
        };
        Ok(Self {
            config,
            hooks,
            pattern,
            stop,
        })
    }

    /// Whether features are word n-grams of tokens (no custom analyzer, `analyzer="word"`).
    pub(crate) fn is_word_analyzer(&self) -> bool {
        self.hooks.analyzer.is_none() && self.config.analyzer == Analyzer::Word
    }

    /// The n-gram range.
    pub(crate) fn ngram_range(&self) -> (usize, usize) {
        self.config.ngram_range
    }

    /// The preprocessor: the custom hook, or lowercase + strip accents.
    pub(crate) fn preprocess<'a>(&self, doc: &'a str) -> Cow<'a, str> {
        match &self.hooks.preprocessor {
            Some(p) => Cow::Owned(p(doc)),
            None => preprocess(doc, self.config.lowercase, self.config.strip_accents),
        }
    }

    /// Calls `f` on each token of preprocessed `text` (stop words included).
    pub(crate) fn for_each_token(&self, text: &str, mut f: impl FnMut(&str)) {
        match &self.hooks.tokenizer {
            Some(t) => t(text).iter().for_each(|tok| f(tok)),
            None => self.pattern.for_each_token(text, f),
        }
    }

    /// Whether a token is a stop word.
    pub(crate) fn is_stop_word(&self, token: &str) -> bool {
        match &self.stop {
            StopSet::None => false,
            StopSet::English => is_english_stop_word(token),
            StopSet::Custom(set) => set.contains(token),
        }
    }

    /// Calls `f` on every feature of `doc`, in scikit-learn's order and with
    /// repetitions (the output of scikit-learn's `build_analyzer()(doc)`).
    pub(crate) fn for_each_feature(&self, doc: &str, s: &mut Scratch, mut f: impl FnMut(&str)) {
        if let Some(analyze) = &self.hooks.analyzer {
            analyze(doc).iter().for_each(|feat| f(feat));
            return;
        }
        let text = self.preprocess(doc);
        match self.config.analyzer {
            Analyzer::Word => self.word_ngrams(&text, s, f),
            Analyzer::Char => {
                collapse_whitespace_runs(&text, &mut s.text);
                char_ngrams(&s.text, self.config.ngram_range, &mut s.bounds, f);
            }
            Analyzer::CharWb => char_wb_ngrams(&text, self.config.ngram_range, s, f),
        }
    }

    /// Tokens joined by single spaces in `s.buf`, so a word n-gram is a slice.
    fn word_ngrams(&self, text: &str, s: &mut Scratch, mut f: impl FnMut(&str)) {
        s.buf.clear();
        s.bounds.clear();
        self.for_each_token(text, |tok| {
            if !self.is_stop_word(tok) {
                if !s.bounds.is_empty() {
                    s.buf.push(' ');
                }
                s.bounds.push(s.buf.len());
                s.buf.push_str(tok);
                s.bounds.push(s.buf.len());
            }
        });
        let n_tokens = s.bounds.len() / 2;
        let (min_n, max_n) = self.config.ngram_range;
        for n in min_n..=max_n.min(n_tokens) {
            for i in 0..=n_tokens - n {
                f(&s.buf[s.bounds[2 * i]..s.bounds[2 * (i + n - 1) + 1]]);
            }
        }
    }
}

/// Character n-grams of `text` (scikit-learn `_char_ngrams`, after whitespace collapsing).
fn char_ngrams(
    text: &str,
    (min_n, max_n): (usize, usize),
    bounds: &mut Vec<usize>,
    mut f: impl FnMut(&str),
) {
    bounds.clear();
    bounds.extend(text.char_indices().map(|(i, _)| i));
    let len = bounds.len();
    bounds.push(text.len());
    for n in min_n..=max_n.min(len) {
        for i in 0..=len - n {
            f(&text[bounds[i]..bounds[i + n]]);
        }
    }
}

/// scikit-learn `_char_wb_ngrams`: for each whitespace-separated word padded
/// with one space on each side, its n-grams; a word shorter than n counts once.
fn char_wb_ngrams(
    text: &str,
    (min_n, max_n): (usize, usize),
    s: &mut Scratch,
    mut f: impl FnMut(&str),
) {
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        s.buf.clear();
        s.buf.push(' ');
        s.buf.push_str(word);
        s.buf.push(' ');
        s.bounds.clear();
        s.bounds.extend(s.buf.char_indices().map(|(i, _)| i));
        let w_len = s.bounds.len();
        s.bounds.push(s.buf.len());
        for n in min_n..=max_n {
            let mut offset = 0;
            f(&s.buf[..s.bounds[n.min(w_len)]]);
            while offset + n < w_len {
                offset += 1;
                f(&s.buf[s.bounds[offset]..s.bounds[offset + n]]);
            }
            if offset == 0 {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vectorizers::config::StripAccents;

    fn features(config: VectorizerConfig, doc: &str) -> Vec<String> {
        let hooks = Hooks::default();
        let a = Analysis::new(&config, &hooks).unwrap();
        let mut out = Vec::new();
        a.for_each_feature(doc, &mut Scratch::default(), |t| out.push(t.to_string()));
        out
    }

    #[test]
    fn word_ngrams_in_sklearn_order() {
        // CountVectorizer(ngram_range=(1, 2), stop_words="english").build_analyzer()
        let c = VectorizerConfig {
            ngram_range: (1, 2),
            stop_words: StopWords::English,
            ..Default::default()
        };
        assert_eq!(
            features(c, "The Quick fox, the lazy DOG!"),
            [
                "quick",
                "fox",
                "lazy",
                "dog",
                "quick fox",
                "fox lazy",
                "lazy dog"
            ]
        );
    }

    #[test]
    fn char_and_char_wb() {
        let c = VectorizerConfig {
            analyzer: Analyzer::Char,
            ngram_range: (2, 3),
            ..Default::default()
        };
        // CountVectorizer(analyzer="char", ngram_range=(2, 3)).build_analyzer()("Ab  c")
        assert_eq!(features(c, "Ab  c"), ["ab", "b ", " c", "ab ", "b c"]);
        let c = VectorizerConfig {
            analyzer: Analyzer::CharWb,
            ngram_range: (2, 5),
            strip_accents: StripAccents::Unicode,
            ..Default::default()
        };
        // CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), strip_accents="unicode")
        assert_eq!(
            features(c, "a Né"),
            [" a", "a ", " a ", " n", "ne", "e ", " ne", "ne ", " ne "]
        );
    }
}
