//! The MiniLM examples' code on tiny inputs, so CI runs their paths quickly: `embeddings`
//! against sentence embeddings from transformers (`tests/fixtures/gen_embeddings.py`), the
//! balanced IMDB sample, and `bert_features_logreg` and `finetune_minilm` on 32 training and
//! 16 held-out reviews at max length 32. Skips without the MiniLM and IMDB caches unless
//! `KILN_REQUIRE_DATA=1`.

mod common;
#[allow(dead_code)]
#[path = "../examples/embeddings.rs"]
mod embeddings;
// The examples print timings and counts that the tests do not check.
#[allow(dead_code)]
#[path = "../examples/bert_features_logreg/pipeline.rs"]
mod features;
#[allow(dead_code)]
#[path = "../examples/finetune_minilm/pipeline.rs"]
mod finetune;

use embeddings::minilm_imdb;
use std::path::PathBuf;
use std::sync::OnceLock;

use kiln_data::datasets::Imdb;

fn minilm() -> Option<PathBuf> {
    let file = common::data_file("minilm", "model.safetensors")?;
    Some(file.parent().expect("minilm folder").to_path_buf())
}

fn imdb() -> Option<&'static Imdb> {
    static IMDB: OnceLock<Imdb> = OnceLock::new();
    let file = common::data_file("imdb", "reviews.json")?;
    Some(IMDB.get_or_init(|| {
        Imdb::load_from(file.parent().expect("imdb folder")).expect("valid reviews.json")
    }))
}

fn tiny_sample(imdb: &Imdb) -> minilm_imdb::Sample {
    minilm_imdb::balanced_sample(imdb.texts(), imdb.labels(), 32, 16, 7)
}

#[test]
fn embeddings_match_transformers() {
    let Some(dir) = minilm() else {
        return;
    };
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/embeddings.json"
    );
    let fixture: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let sentences: Vec<String> = embeddings::SENTENCES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let want: Vec<String> = fixture["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        sentences, want,
        "regenerate the fixture after changing SENTENCES"
    );
    let e = embeddings::embed(&dir, &sentences).unwrap();
    assert_eq!(e.dims(), &[6, 384]);
    let values = e.to_vec::<f64>();
    let table = embeddings::cosine_table(&e);
    let close = |what: String, got: f64, want: &serde_json::Value| {
        let want = want.as_f64().unwrap();
        assert!(
            (got - want).abs() < 1e-5,
            "{what}: kiln {got} vs transformers {want}"
        );
    };
    for i in 0..6 {
        for k in 0..5 {
            close(
                format!("e[{i},{k}]"),
                values[i * 384 + k],
                &fixture["first5"][i][k],
            );
        }
        for j in 0..6 {
            close(
                format!("cos[{i},{j}]"),
                table[i * 6 + j],
                &fixture["cosine"][i][j],
            );
        }
    }
}

#[test]
fn the_imdb_sample_is_balanced_clean_and_disjoint() {
    let Some(imdb) = imdb() else {
        return;
    };
    let s = tiny_sample(imdb);
    assert_eq!((s.train_texts.len(), s.test_texts.len()), (32, 16));
    assert_eq!(s.train_labels.iter().sum::<i64>(), 16);
    assert_eq!(s.test_labels.iter().sum::<i64>(), 8);
    // Classes interleave rather than coming in two blocks.
    assert!(s.train_labels[..16].contains(&0) && s.train_labels[..16].contains(&1));
    for t in s.train_texts.iter().chain(&s.test_texts) {
        assert!(!t.contains("<br />"), "{t}");
    }
    assert!(s.test_texts.iter().all(|t| !s.train_texts.contains(t)));
    let again = tiny_sample(imdb);
    assert_eq!(s.train_texts, again.train_texts, "one seed, one sample");
    assert_eq!(s.test_labels, again.test_labels);
}

#[test]
fn bert_features_logreg_runs_on_a_tiny_slice() {
    let (Some(dir), Some(imdb)) = (minilm(), imdb()) else {
        return;
    };
    let sample = tiny_sample(imdb);
    let settings = features::Settings {
        n_train: 32,
        n_test: 16,
        max_length: 32,
        batch_size: 8,
        seed: 7,
    };
    let eval = features::run(&dir, &sample, &settings).unwrap();
    assert_eq!((eval.n_train, eval.n_test, eval.n_features), (32, 16, 384));
    // Reviews are long: nearly all of them are cut at 32 word pieces.
    assert!(eval.truncated > 0.5, "{}", eval.truncated);
    assert!(eval.converged, "{} iterations", eval.n_iter);
    assert!((0.0..=1.0).contains(&eval.accuracy));
    assert!((0.0..=1.0).contains(&eval.roc_auc));
    // 32 points in 384 dimensions with C = 1: the training set is mostly fitted.
    assert!(eval.train_accuracy >= 0.75, "{}", eval.train_accuracy);
}

#[test]
fn finetune_minilm_runs_on_a_tiny_slice() {
    let (Some(dir), Some(imdb)) = (minilm(), imdb()) else {
        return;
    };
    let sample = tiny_sample(imdb);
    let settings = finetune::Settings {
        n_train: 32,
        n_test: 16,
        max_length: 32,
        eval_batch_size: 8,
        seed: 7,
        ..finetune::Settings::default()
    };
    let mut steps = Vec::new();
    let eval = finetune::run(&dir, &sample, &settings, |s| {
        steps.push((s.step, s.total, s.encoder_lr))
    })
    .unwrap();
    // 32 reviews in batches of 16; warmup int(0.1 · 2) = 0 steps, then linear decay.
    assert_eq!(steps, [(1, 2, 5e-5), (2, 2, 2.5e-5)]);
    assert_eq!(eval.losses.len(), 2);
    // A fresh 2-way head starts near ln 2.
    for loss in &eval.losses {
        assert!(loss.is_finite() && (0.3..1.2).contains(loss), "{loss}");
    }
    assert!((0.0..=1.0).contains(&eval.accuracy));
    assert!((0.0..=1.0).contains(&eval.roc_auc));
}
