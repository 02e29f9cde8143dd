//! The `with_*` setters shared by `CountVectorizer` and `TfidfVectorizer`.

/// Generates the builder methods; `$($f).*` is the path from `self` to the
/// fields `config`, `hooks` and `fixed` (empty for `CountVectorizer`).
macro_rules! vectorizer_setters {
    ($($f:ident)*) => {
        /// Replaces every analysis / vocabulary setting at once.
        pub fn with_config(mut self, config: $crate::vectorizers::VectorizerConfig) -> Self {
            self.$($f.)*config = config;
            self
        }

        /// The analysis / vocabulary settings.
        pub fn config(&self) -> &$crate::vectorizers::VectorizerConfig {
            &self.$($f.)*config
        }

        /// scikit-learn `lowercase` (default `true`).
        pub fn with_lowercase(mut self, lowercase: bool) -> Self {
            self.$($f.)*config.lowercase = lowercase;
            self
        }

        /// scikit-learn `strip_accents` (default none).
        pub fn with_strip_accents(mut self, strip: $crate::vectorizers::StripAccents) -> Self {
            self.$($f.)*config.strip_accents = strip;
            self
        }

        /// scikit-learn `token_pattern` (default `(?u)\b\w\w+\b`).
        pub fn with_token_pattern(mut self, pattern: impl Into<String>) -> Self {
            self.$($f.)*config.token_pattern = pattern.into();
            self
        }

        /// scikit-learn `analyzer` (default word).
        pub fn with_analyzer(mut self, analyzer: $crate::vectorizers::Analyzer) -> Self {
            self.$($f.)*config.analyzer = analyzer;
            self
        }

        /// scikit-learn `ngram_range=(min_n, max_n)`, inclusive (default `(1, 1)`).
        pub fn with_ngram_range(mut self, min_n: usize, max_n: usize) -> Self {
            self.$($f.)*config.ngram_range = (min_n, max_n);
            self
        }

        /// scikit-learn `stop_words` (default none).
        pub fn with_stop_words(mut self, stop_words: $crate::vectorizers::StopWords) -> Self {
            self.$($f.)*config.stop_words = stop_words;
            self
        }

        /// scikit-learn `min_df` (default `Count(1)`).
        pub fn with_min_df(mut self, min_df: $crate::vectorizers::DocFrequency) -> Self {
            self.$($f.)*config.min_df = min_df;
            self
        }

        /// scikit-learn `max_df` (default `Fraction(1.0)`).
        pub fn with_max_df(mut self, max_df: $crate::vectorizers::DocFrequency) -> Self {
            self.$($f.)*config.max_df = max_df;
            self
        }

        /// scikit-learn `max_features` (default `None`: keep all).
        pub fn with_max_features(mut self, max_features: impl Into<Option<usize>>) -> Self {
            self.$($f.)*config.max_features = max_features.into();
            self
        }

        /// scikit-learn `binary` (default `false`).
        pub fn with_binary(mut self, binary: bool) -> Self {
            self.$($f.)*config.binary = binary;
            self
        }

        /// scikit-learn `vocabulary=`: a fixed term → column mapping; fitting
        /// then only counts (no `min_df` / `max_df` / `max_features` pruning).
        pub fn with_vocabulary(mut self, vocabulary: $crate::vectorizers::Vocabulary) -> Self {
            self.$($f.)*fixed = Some(std::sync::Arc::new(vocabulary));
            self
        }

        /// scikit-learn `preprocessor=callable`: replaces lowercasing and accent stripping.
        pub fn with_preprocessor(mut self, f: impl Fn(&str) -> String + Send + Sync + 'static) -> Self {
            self.$($f.)*hooks.preprocessor = Some(std::sync::Arc::new(f));
            self
        }

        /// scikit-learn `tokenizer=callable`: replaces `token_pattern`.
        pub fn with_tokenizer(mut self, f: impl Fn(&str) -> Vec<String> + Send + Sync + 'static) -> Self {
            self.$($f.)*hooks.tokenizer = Some(std::sync::Arc::new(f));
            self
        }

        /// scikit-learn `analyzer=callable`: maps a raw document to its features,
        /// replacing preprocessing, tokenization, stop words and n-grams.
        pub fn with_analyzer_fn(mut self, f: impl Fn(&str) -> Vec<String> + Send + Sync + 'static) -> Self {
            self.$($f.)*hooks.analyzer = Some(std::sync::Arc::new(f));
            self
        }
    };
}
