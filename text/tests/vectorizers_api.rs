//! Exact scikit-learn references on small Unicode-heavy inputs
//! (`fixtures/gen_vectorizer_small.py` → `vectorizer_small.json`): analyzer
//! outputs, dense matrices, idf, `transform`, and error messages; plus the
//! behaviour that has no scikit-learn counterpart (ties, hooks, dtypes).

mod vectorizers_common;

use serde_json::Value;

use kiln_text::vectorizers::{
    Analyzer, CountVectorizer, DocFrequency, Norm, StopWords, StripAccents, TfidfVectorizer,
    VectorizerError, Vocabulary,
};

/// Builds a vectorizer from scikit-learn keyword arguments.
fn configure_count(mut v: CountVectorizer, params: &Value) -> CountVectorizer {
    for (key, val) in params.as_object().unwrap() {
        v = match key.as_str() {
            "ngram_range" => v.with_ngram_range(
                val[0].as_u64().unwrap() as usize,
                val[1].as_u64().unwrap() as usize,
            ),
            "analyzer" => v.with_analyzer(match val.as_str().unwrap() {
                "word" => Analyzer::Word,
                "char" => Analyzer::Char,
                _ => Analyzer::CharWb,
            }),
            "min_df" | "max_df" => {
                let bound = if val.is_f64() {
                    DocFrequency::Fraction(val.as_f64().unwrap())
                } else {
                    DocFrequency::Count(val.as_u64().unwrap())
                };
                if key == "min_df" {
                    v.with_min_df(bound)
                } else {
                    v.with_max_df(bound)
                }
            }
            "max_features" => v.with_max_features(val.as_u64().unwrap() as usize),
            "strip_accents" => v.with_strip_accents(if val == "ascii" {
                StripAccents::Ascii
            } else {
                StripAccents::Unicode
            }),
            "stop_words" => v.with_stop_words(StopWords::English),
            "binary" => v.with_binary(val.as_bool().unwrap()),
            "lowercase" => v.with_lowercase(val.as_bool().unwrap()),
            "token_pattern" => v.with_token_pattern(val.as_str().unwrap()),
            _ => v,
        };
    }
    v
}

fn configure_tfidf(params: &Value) -> TfidfVectorizer {
    let mut v = TfidfVectorizer::new().with_config(
        configure_count(CountVectorizer::new(), params)
            .config()
            .clone(),
    );
    for (key, val) in params.as_object().unwrap() {
        v = match key.as_str() {
            "sublinear_tf" => v.with_sublinear_tf(val.as_bool().unwrap()),
            "use_idf" => v.with_use_idf(val.as_bool().unwrap()),
            "smooth_idf" => v.with_smooth_idf(val.as_bool().unwrap()),
            "norm" => v.with_norm(match val.as_str() {
                None => None,
                Some("l1") => Some(Norm::L1),
                _ => Some(Norm::L2),
            }),
            _ => v,
        };
    }
    v
}

fn small() -> Value {
    serde_json::from_str(&vectorizers_common::fixture("vectorizer_small.json")).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect()
}

fn assert_close(got: &[f64], want: &Value, what: &str) {
    let want: Vec<f64> = want
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-12 * w.abs().max(1.0),
            "{what}[{i}]: {g} vs {w}"
        );
    }
}

#[test]
fn analyzers_match_scikit_learn() {
    let f = small();
    let docs = strings(&f["docs"]);
    for case in f["analyzers"].as_array().unwrap() {
        let cv = configure_count(CountVectorizer::new(), &case["params"]);
        for (doc, want) in docs.iter().zip(case["features"].as_array().unwrap()) {
            assert_eq!(
                cv.analyze(doc).unwrap(),
                strings(want),
                "{} on {doc:?}",
                case["name"]
            );
        }
    }
}

#[test]
fn matrices_match_scikit_learn() {
    let f = small();
    let docs = strings(&f["docs"]);
    let unseen = ["The dog and the café owner; x² naïve"];
    for case in f["matrices"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let flat = |v: &Value| -> Vec<f64> {
            v.as_array()
                .unwrap()
                .iter()
                .flat_map(|r| r.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
                .collect()
        };
        if case["kind"] == "count" {
            let mut cv = configure_count(CountVectorizer::new(), &case["params"]);
            let x = cv.fit_transform::<i64>(&docs).unwrap();
            assert_eq!(
                cv.get_feature_names_out().unwrap(),
                strings(&case["features"]),
                "{name}"
            );
            let dense: Vec<f64> = x.to_dense().iter().map(|&v| v as f64).collect();
            assert_close(&dense, &Value::from(flat(&case["dense"])), name);
            let t: Vec<f64> = cv
                .transform::<i64>(&unseen)
                .unwrap()
                .to_dense()
                .iter()
                .map(|&v| v as f64)
                .collect();
            assert_close(&t, &Value::from(flat(&case["transform_dense"])), name);
        } else {
            let mut tv = configure_tfidf(&case["params"]);
            let x = tv.fit_transform::<f64>(&docs).unwrap();
            assert_eq!(
                tv.get_feature_names_out().unwrap(),
                strings(&case["features"]),
                "{name}"
            );
            assert_close(&x.to_dense(), &Value::from(flat(&case["dense"])), name);
            match case.get("idf") {
                Some(idf) => assert_close(&tv.idf().unwrap(), idf, name),
                None => assert!(tv.idf().is_none(), "{name}: idf without use_idf"),
            }
            assert_close(
                &tv.transform::<f64>(&unseen).unwrap().to_dense(),
                &Value::from(flat(&case["transform_dense"])),
                name,
            );
        }
    }
}

#[test]
fn errors_match_scikit_learn() {
    for case in small()["errors"].as_array().unwrap() {
        let docs = strings(&case["docs"]);
        let err = if case["kind"] == "count" {
            configure_count(CountVectorizer::new(), &case["params"])
                .fit(&docs)
                .map(|_| ())
                .unwrap_err()
        } else {
            configure_tfidf(&case["params"])
                .fit(&docs)
                .map(|_| ())
                .unwrap_err()
        };
        assert_eq!(
            err.to_string(),
            case["message"].as_str().unwrap(),
            "{}",
            case["name"]
        );
    }
}

#[test]
fn typed_errors() {
    let docs = ["apple banana", "cherry durian"];
    let fit = |cv: CountVectorizer| cv.clone().fit(&docs).map(|_| ()).unwrap_err();
    assert_eq!(
        fit(CountVectorizer::new().with_min_df(DocFrequency::Count(2))),
        VectorizerError::NoTermsRemain
    );
    assert!(matches!(
        fit(CountVectorizer::new().with_max_df(DocFrequency::Fraction(0.2))),
        VectorizerError::MaxDfBelowMinDf { .. }
    ));
    assert_eq!(
        fit(CountVectorizer::new().with_ngram_range(0, 2)),
        VectorizerError::InvalidNgramRange { min_n: 0, max_n: 2 }
    );
    assert!(matches!(
        fit(CountVectorizer::new().with_min_df(DocFrequency::Fraction(1.5))),
        VectorizerError::InvalidParameter { name: "min_df", .. }
    ));
    assert!(matches!(
        fit(CountVectorizer::new().with_max_features(0)),
        VectorizerError::InvalidParameter { .. }
    ));
    assert!(matches!(
        fit(CountVectorizer::new().with_token_pattern("(a)(b)")),
        VectorizerError::InvalidTokenPattern { .. }
    ));
    assert_eq!(
        CountVectorizer::new()
            .fit(&[] as &[&str])
            .map(|_| ())
            .unwrap_err(),
        VectorizerError::EmptyVocabulary
    );
    assert_eq!(
        CountVectorizer::new().transform::<i64>(&docs).unwrap_err(),
        VectorizerError::NotFitted
    );
    assert!(TfidfVectorizer::new().idf().is_none());
}

#[test]
fn max_features_ties_keep_the_terms_that_sort_first() {
    // tf: b=2, a=2, c=2, z=3; max_features=2 keeps z and the first of the tied (a).
    let docs = ["zz zz bb aa cc", "zz bb aa cc"];
    let mut cv = CountVectorizer::new().with_max_features(2);
    cv.fit(&docs).unwrap();
    assert_eq!(cv.get_feature_names_out().unwrap(), ["aa", "zz"]);
}

#[test]
fn fixed_vocabulary_hooks_and_dtypes() {
    let docs = ["Red apple, green APPLE", "green pear"];
    let vocab = Vocabulary::from_terms(["pear", "apple", "plum"]).unwrap();
    let cv = CountVectorizer::new().with_vocabulary(vocab);
    // A fixed vocabulary works without fit and keeps its column order.
    let x = cv.transform::<f32>(&docs).unwrap();
    assert_eq!(x.to_dense(), [0.0, 2.0, 0.0, 1.0, 0.0, 0.0]);
    assert_eq!(
        cv.get_feature_names_out().unwrap(),
        ["pear", "apple", "plum"]
    );

    // Custom tokenizer and preprocessor closures.
    let mut cv = CountVectorizer::new()
        .with_preprocessor(|d| d.replace(',', " "))
        .with_tokenizer(|d| d.split_whitespace().map(str::to_string).collect());
    cv.fit(&docs).unwrap();
    assert_eq!(
        cv.get_feature_names_out().unwrap(),
        ["APPLE", "Red", "apple", "green", "pear"]
    );
    // A custom analyzer replaces everything.
    let mut cv = CountVectorizer::new().with_analyzer_fn(|d| vec![d.len().to_string()]);
    let x = cv.fit_transform::<i32>(&docs).unwrap();
    assert_eq!(cv.get_feature_names_out().unwrap(), ["10", "22"]);
    assert_eq!(x.to_dense(), [0, 1, 1, 0]);

    // f32 and f64 TF-IDF agree to f32 precision.
    let corpus = [
        "one two two three",
        "two three four",
        "four five six six six",
    ];
    let mut tv = TfidfVectorizer::new()
        .with_sublinear_tf(true)
        .with_ngram_range(1, 2);
    let x64 = tv.fit_transform::<f64>(&corpus).unwrap();
    let x32 = tv.fit_transform::<f32>(&corpus).unwrap();
    assert_eq!(x64.indices(), x32.indices());
    for (a, b) in x64.data().iter().zip(x32.data()) {
        assert!((a - f64::from(*b)).abs() < 1e-6, "{a} vs {b}");
    }
}

#[test]
fn tokens_with_spaces_take_the_exact_string_path() {
    // A tokenizer whose tokens contain spaces: "a b" + "c" and "a" + "b c" are
    // both the bigram "a b c" in scikit-learn; sorting must use the strings.
    let docs = ["x", "y"];
    let tok = |d: &str| match d {
        "x" => vec!["a b".to_string(), "c".to_string()],
        _ => vec!["a".to_string(), "b c".to_string(), "a\tz".to_string()],
    };
    let mut cv = CountVectorizer::new()
        .with_tokenizer(tok)
        .with_ngram_range(1, 2);
    let x = cv.fit_transform::<i64>(&docs).unwrap();
    assert_eq!(
        cv.get_feature_names_out().unwrap(),
        ["a", "a\tz", "a b", "a b c", "b c", "b c a\tz", "c"]
    );
    assert_eq!(x.to_dense(), [0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0]);
}
