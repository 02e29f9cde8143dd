//! The text-classification `Predictor`: saved to a folder and loaded in a new process (this
//! test binary run again with `KILN_PREDICTOR_CHILD_DIR` set), it gives bit-identical
//! probabilities; and the bad folders and inputs are typed errors naming the file.

mod common;

use common::exclusive;

use std::path::{Path, PathBuf};
use std::process::Command;

use kiln_nn::models::{
    BertConfig, BertForSequenceClassification, ClassificationConfig, PretrainedError,
};
use kiln_tensor::manual_seed;
use kiln_text::Tokenizer;
use kiln_text::models::Vocab;
use kiln_trainer::learner::{PREDICTOR_FILE, Predictor, PredictorConfig, PredictorError};

/// The folder the child process loads; unset in the parent.
const CHILD_DIR: &str = "KILN_PREDICTOR_CHILD_DIR";
/// Where the child writes the probabilities' bits.
const CHILD_OUT: &str = "KILN_PREDICTOR_CHILD_OUT";

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-predictor-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

const WORDS: &[&str] = &[
    "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "movie", "was", "great", "terrible",
    "fine", "plot", "actor", "##s", "boring", "and", "i", "loved", "it", "!", ".",
];

const TEXTS: &[&str] = &[
    "The movie was great!",
    "terrible plot and boring actors.",
    "I loved it",
    "fine",
    "the the the the the the the the the the the the the the the the the the the the movie",
    "unknown words everywhere",
    "",
];

fn tokenizer() -> Tokenizer {
    let vocab = Vocab::from_lines(WORDS.iter().map(|w| w.to_string()));
    Tokenizer::bert_wordpiece(vocab, true).expect("a BERT vocabulary")
}

/// A tiny random BERT classifier: hidden 16, 2 layers, 2 heads, 3 labels, 32 positions.
fn model(num_labels: usize) -> BertForSequenceClassification {
    let mut config = BertConfig::new(WORDS.len(), 16, 2, 2, 32);
    config.max_position_embeddings = 32;
    config.classification = ClassificationConfig::with_num_labels(num_labels);
    manual_seed(7);
    BertForSequenceClassification::new(&config)
}

fn labels() -> Vec<String> {
    ["negative", "neutral", "positive"]
        .map(String::from)
        .to_vec()
}

fn predictor() -> Predictor {
    let config = PredictorConfig::new(labels(), 12).with_batch_size(3);
    Predictor::new(model(3), tokenizer(), config).expect("a valid predictor")
}

/// The probabilities as exact bit patterns, one row per line.
fn bits(probs: &[Vec<f32>]) -> String {
    probs
        .iter()
        .map(|row| {
            row.iter()
                .map(|p| format!("{:08x}", p.to_bits()))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// In the child: loads the folder it was given and writes the probabilities' bits. In the
/// parent's own run: a save / load round trip within one process.
#[test]
fn loaded_predictor_gives_the_saved_ones_probabilities() {
    if let Ok(dir) = std::env::var(CHILD_DIR) {
        let loaded = Predictor::load(&dir).expect("the child loads the folder");
        let probs = loaded.predict_proba(TEXTS).expect("predictions");
        let out = std::env::var(CHILD_OUT).expect("an output path");
        std::fs::write(out, bits(&probs)).expect("write the bits");
        return;
    }
    let _rng = exclusive();
    let dir = tempdir("in-process");
    let p = predictor();
    p.save(&dir).expect("saved");
    let loaded = Predictor::load(&dir).expect("loaded");
    assert_eq!(loaded.label_names(), p.label_names());
    assert_eq!(loaded.config(), p.config());
    assert_eq!(
        bits(&loaded.predict_proba(TEXTS).unwrap()),
        bits(&p.predict_proba(TEXTS).unwrap())
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_new_process_gives_bit_identical_probabilities() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let _rng = exclusive();
    let dir = tempdir("child");
    let p = predictor();
    p.save(&dir).expect("saved");
    let probs = p.predict_proba(TEXTS).expect("predictions");
    assert_eq!(probs.len(), TEXTS.len());
    for row in &probs {
        assert_eq!(row.len(), 3);
        let sum: f32 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-5, "{row:?}");
    }
    // Different texts get different probabilities (the model sees the tokens).
    assert_ne!(bits(&probs[..1]), bits(&probs[1..2]));
    let out = dir.join("child-probs.txt");
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "loaded_predictor_gives_the_saved_ones_probabilities",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, &dir)
        .env(CHILD_OUT, &out)
        .status()
        .expect("the child runs");
    assert!(status.success(), "child failed: {status}");
    let child = std::fs::read_to_string(&out).expect("the child wrote its probabilities");
    assert_eq!(child, bits(&probs));
    // And the labels are the argmax of those probabilities.
    let names = p.predict(TEXTS).unwrap();
    for (name, row) in names.iter().zip(&probs) {
        let best = (0..3).fold(0, |b, i| if row[i] > row[b] { i } else { b });
        assert_eq!(name, &labels()[best]);
    }
    assert_eq!(p.predict_one(TEXTS[0]).unwrap(), names[0]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn batch_size_does_not_change_the_probabilities_beyond_rounding() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let _rng = exclusive();
    let p = predictor();
    let one = predictor()
        .with_batch_size(1)
        .unwrap()
        .predict_proba(TEXTS)
        .unwrap();
    let all = p.with_batch_size(64).unwrap().predict_proba(TEXTS).unwrap();
    for (a, b) in one.iter().zip(&all) {
        for (x, y) in a.iter().zip(b) {
            assert!((x - y).abs() < 1e-5, "{a:?} vs {b:?}");
        }
    }
    assert!(matches!(
        predictor().with_batch_size(0).err(),
        Some(PredictorError::Invalid {
            key: "batch_size",
            ..
        })
    ));
}

fn saved(name: &str) -> PathBuf {
    let dir = tempdir(name);
    predictor().save(&dir).expect("saved");
    dir
}

fn load_err(dir: &Path) -> PredictorError {
    Predictor::load(dir).err().expect("an error")
}

#[test]
fn bad_folders_are_typed_errors_naming_the_file() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let _rng = exclusive();
    // Missing predictor.json.
    let dir = saved("missing");
    std::fs::remove_file(dir.join(PREDICTOR_FILE)).unwrap();
    let err = load_err(&dir);
    assert!(
        matches!(&err, PredictorError::MissingFile { path } if path.ends_with(PREDICTOR_FILE)),
        "{err}"
    );
    assert!(err.to_string().contains("predictor.json"), "{err}");
    std::fs::remove_dir_all(&dir).ok();

    // Corrupt weights: a truncated model.safetensors.
    let dir = saved("weights");
    let weights = dir.join("model.safetensors");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 3]).unwrap();
    let err = load_err(&dir);
    assert!(
        matches!(&err, PredictorError::Model(PretrainedError::Weights { .. })),
        "{err:?}"
    );
    assert!(err.to_string().contains("model.safetensors"), "{err}");
    std::fs::remove_dir_all(&dir).ok();

    // Corrupt predictor.json: not JSON, then an unknown key, then another version.
    let dir = saved("json");
    let path = dir.join(PREDICTOR_FILE);
    let good = std::fs::read_to_string(&path).unwrap();
    for bad in [
        "{not json".to_string(),
        good.replacen('{', "{\"labels\": [],", 1),
        good.replace("\"format_version\": 1", "\"format_version\": 9"),
    ] {
        std::fs::write(&path, bad).unwrap();
        let err = load_err(&dir);
        assert!(matches!(&err, PredictorError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("predictor.json"), "{err}");
    }
    // Two label names for a three-way classifier.
    std::fs::write(&path, good.replace("    \"neutral\",\n", "")).unwrap();
    let err = load_err(&dir);
    assert!(
        matches!(
            err,
            PredictorError::LabelCount {
                label_names: 2,
                num_labels: 3
            }
        ),
        "{err}"
    );
    // Corrupt tokenizer.json.
    std::fs::write(&path, &good).unwrap();
    std::fs::write(dir.join("tokenizer.json"), "[]").unwrap();
    let err = load_err(&dir);
    assert!(matches!(&err, PredictorError::Tokenizer { .. }), "{err}");
    assert!(err.to_string().contains("tokenizer.json"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn label_count_and_sizes_are_checked_and_empty_input_is_fine() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let _rng = exclusive();
    let err = Predictor::new(model(2), tokenizer(), PredictorConfig::new(labels(), 12))
        .err()
        .expect("an error");
    assert!(
        matches!(
            err,
            PredictorError::LabelCount {
                label_names: 3,
                num_labels: 2
            }
        ),
        "{err}"
    );
    let err = Predictor::new(model(3), tokenizer(), PredictorConfig::new(labels(), 33))
        .err()
        .expect("an error");
    assert!(
        matches!(
            err,
            PredictorError::Invalid {
                key: "max_length",
                ..
            }
        ),
        "{err}"
    );
    let p = predictor();
    assert!(p.predict_proba(&[]).unwrap().is_empty());
    assert!(p.predict(&[]).unwrap().is_empty());
    // Long texts are truncated to max_length instead of overrunning the positions.
    let long = "the movie ".repeat(100);
    assert_eq!(p.predict_proba(&[long.as_str()]).unwrap().len(), 1);
}

#[test]
fn lowercasing_is_saved_and_applied() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let _rng = exclusive();
    // A cased tokenizer: "GREAT" is unknown unless the predictor lowercases first.
    let vocab = Vocab::from_lines(WORDS.iter().map(|w| w.to_string()));
    let cased = Tokenizer::bert_wordpiece(vocab, false).unwrap();
    let config = PredictorConfig::new(labels(), 12).with_lowercase(true);
    let p = Predictor::new(model(3), cased.clone(), config).unwrap();
    let plain = Predictor::new(model(3), cased, PredictorConfig::new(labels(), 12)).unwrap();
    let upper = p.predict_proba(&["THE MOVIE WAS GREAT"]).unwrap();
    assert_eq!(
        upper,
        plain.predict_proba(&["the movie was great"]).unwrap()
    );
    assert_ne!(
        upper,
        plain.predict_proba(&["THE MOVIE WAS GREAT"]).unwrap()
    );
    let dir = tempdir("lowercase");
    p.save(&dir).unwrap();
    let loaded = Predictor::load(&dir).unwrap();
    assert!(loaded.config().lowercase);
    assert_eq!(
        loaded.predict_proba(&["THE MOVIE WAS GREAT"]).unwrap(),
        upper
    );
    std::fs::remove_dir_all(&dir).ok();
}
