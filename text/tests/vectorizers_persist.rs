//! Saving and loading fitted vectorizers as JSON; inconsistent files are typed errors (the
//! mutation fuzzing of these files is in `hostile_files.rs`).

use kiln_text::vectorizers::{CountVectorizer, Norm, PersistError, TfidfVectorizer, Vocabulary};

const DOCS: [&str; 4] = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "cats and dogs",
    "a naïve café",
];

#[test]
fn tfidf_roundtrip_gives_identical_output() {
    let mut tv = TfidfVectorizer::new()
        .with_ngram_range(1, 2)
        .with_sublinear_tf(true)
        .with_norm(Some(Norm::L1));
    let x = tv.fit_transform::<f64>(&DOCS).unwrap();
    let path = std::env::temp_dir().join(format!("kiln-tfidf-{}.json", std::process::id()));
    tv.save(&path).unwrap();
    let back = TfidfVectorizer::load(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert_eq!(
        back.get_feature_names_out().unwrap(),
        tv.get_feature_names_out().unwrap()
    );
    assert_eq!(back.idf(), tv.idf());
    assert_eq!(back.transform::<f64>(&DOCS).unwrap(), x);
    assert_eq!(back.tfidf_options(), tv.tfidf_options());
    assert_eq!(back.config(), tv.config());
}

#[test]
fn count_roundtrip_with_fixed_vocabulary() {
    let cv = CountVectorizer::new()
        .with_vocabulary(Vocabulary::from_terms(["sat", "cat", "zebra"]).unwrap());
    let back = CountVectorizer::from_json(&cv.to_json().unwrap()).unwrap();
    assert_eq!(
        back.transform::<i64>(&DOCS).unwrap(),
        cv.transform::<i64>(&DOCS).unwrap()
    );
    // Still fixed: refitting keeps the given vocabulary.
    let mut refit = back.clone();
    refit.fit(&["zebra zebra"]).unwrap();
    assert_eq!(
        refit.get_feature_names_out().unwrap(),
        ["sat", "cat", "zebra"]
    );
}

#[test]
fn no_idf_roundtrip_and_refusals() {
    let mut tv = TfidfVectorizer::new().with_use_idf(false);
    let x = tv.fit_transform::<f32>(&DOCS).unwrap();
    let back = TfidfVectorizer::from_json(&tv.to_json().unwrap()).unwrap();
    assert_eq!(back.transform::<f32>(&DOCS).unwrap(), x);

    assert!(matches!(
        CountVectorizer::new().to_json(),
        Err(PersistError::NotFitted)
    ));
    let mut hooked = CountVectorizer::new().with_tokenizer(|d| vec![d.to_string()]);
    hooked.fit(&DOCS).unwrap();
    assert!(matches!(
        hooked.to_json(),
        Err(PersistError::HookNotSerializable("tokenizer"))
    ));
    let count_json = {
        let mut cv = CountVectorizer::new();
        cv.fit(&DOCS).unwrap();
        cv.to_json().unwrap()
    };
    assert!(matches!(
        TfidfVectorizer::from_json(&count_json),
        Err(PersistError::WrongKind { .. })
    ));
}

#[test]
fn inconsistent_files_are_rejected() {
    let mut tv = TfidfVectorizer::new();
    tv.fit(&DOCS).unwrap();
    let good: serde_json::Value = serde_json::from_str(&tv.to_json().unwrap()).unwrap();
    let edits: [(&str, serde_json::Value); 5] = [
        ("vocabulary", serde_json::json!(["a", "a"])),
        ("document_frequency", serde_json::json!([1])),
        ("n_samples", serde_json::json!(0)),
        ("format_version", serde_json::json!(99)),
        ("config", serde_json::json!({"ngram_range": [2, 1]})),
    ];
    for (field, value) in edits {
        let mut bad = good.clone();
        bad[field] = value;
        assert!(
            TfidfVectorizer::from_json(&bad.to_string()).is_err(),
            "{field}"
        );
    }
    let mut bad = good.clone();
    bad["config"]["ngram_range"] = serde_json::json!([3, 1]);
    assert!(matches!(
        TfidfVectorizer::from_json(&bad.to_string()),
        Err(PersistError::Invalid(_))
    ));
}
