//! Bad input to the DeBERTa-v2 loader and model: each case is a typed error that names the
//! problem (the key, both inconsistent keys, the tensor), never a panic. Uses the tiny
//! transformers-saved folder `tests/fixtures/deberta/tiny_v3`.

mod support;

use std::path::{Path, PathBuf};

use kiln_nn::Module;
use kiln_nn::models::{
    DebertaV2Config, DebertaV2ForSequenceClassification, DebertaV2Model, EncoderInput, InputError,
    PretrainedError,
};
use kiln_tensor::{Tensor, safetensors};
use proptest::prelude::*;
use support::fixture_path;

/// A temporary folder, removed when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// A fresh copy of the tiny DeBERTa-v3 folder to break.
fn scratch(tag: &str) -> Scratch {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "kiln-deberta-errors-{}-{tag}-{n}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture_path("deberta/tiny_v3").join(file), dir.join(file)).unwrap();
    }
    Scratch(dir)
}

fn config_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
}

/// The error of loading `dir` after setting (or, for `null` with `remove`, deleting) `key`.
fn load_with(key: &str, value: Option<serde_json::Value>) -> PretrainedError {
    let dir = scratch(key);
    let mut config = config_json(&dir);
    match value {
        Some(v) => config[key] = v,
        None => {
            config.as_object_mut().unwrap().remove(key);
        }
    }
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    match DebertaV2ForSequenceClassification::from_pretrained(&*dir) {
        Ok(_) => panic!("{key} = {:?} loaded", config[key]),
        Err(e) => e,
    }
}

fn assert_config_error(e: &PretrainedError, needles: &[&str]) {
    assert!(matches!(e, PretrainedError::Config { .. }), "{e}");
    let text = e.to_string();
    for needle in needles {
        assert!(text.contains(needle), "{text:?} does not name {needle:?}");
    }
}

#[test]
fn a_missing_required_key_is_named() {
    for key in ["vocab_size", "hidden_size", "num_attention_heads"] {
        assert_config_error(&load_with(key, None), &[key, "config.json"]);
    }
}

#[test]
fn bad_values_name_their_key() {
    let cases: [(&str, serde_json::Value, &str); 9] = [
        ("hidden_size", serde_json::json!(30), "num_attention_heads"),
        ("pos_att_type", serde_json::json!("c2p|x2y"), "pos_att_type"),
        ("pos_att_type", serde_json::json!(7), "pos_att_type"),
        (
            "norm_rel_ebd",
            serde_json::json!("batch_norm"),
            "norm_rel_ebd",
        ),
        ("conv_kernel_size", serde_json::json!(2), "conv_kernel_size"),
        (
            "pooler_hidden_size",
            serde_json::json!(16),
            "pooler_hidden_size",
        ),
        (
            "hidden_dropout_prob",
            serde_json::json!(1.5),
            "hidden_dropout_prob",
        ),
        ("model_type", serde_json::json!("bert"), "model_type"),
        ("pad_token_id", serde_json::json!(100), "pad_token_id"),
    ];
    for (key, value, needle) in cases {
        assert_config_error(&load_with(key, Some(value)), &[needle]);
    }
    // Unknown keys are ignored, as transformers keeps but does not use them.
    let dir = scratch("unknown");
    let mut config = config_json(&dir);
    config["some_future_key"] = serde_json::json!({"a": 1});
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    assert!(DebertaV2ForSequenceClassification::from_pretrained(&*dir).is_ok());
}

#[test]
fn inconsistent_position_buckets_and_max_relative_positions_name_both_keys() {
    // tiny_v3 has max_relative_positions 16: buckets 30 need 16 - 1 > 15.
    for buckets in [30, 40, 1] {
        let e = load_with("position_buckets", Some(serde_json::json!(buckets)));
        assert_config_error(&e, &["position_buckets", "max_relative_positions"]);
    }
    // max_relative_positions too small for the 8 buckets (needs > 5).
    for max in [5, 2, 1] {
        let e = load_with("max_relative_positions", Some(serde_json::json!(max)));
        assert_config_error(&e, &["position_buckets", "max_relative_positions"]);
    }
    // Values below -1 (transformers' "unset") are corrupt.
    for key in ["position_buckets", "max_relative_positions"] {
        assert_config_error(&load_with(key, Some(serde_json::json!(-7))), &[key]);
    }
    // Unset max_relative_positions falls back to max_position_embeddings (64): consistent.
    let mut config = DebertaV2Config::deberta_v3(100, 32, 1, 4, 37);
    config.max_position_embeddings = 64;
    config.position_buckets = 8;
    assert!(config.validate("test").is_ok());
    config.max_position_embeddings = 4;
    let e = config.validate("test").unwrap_err();
    assert_config_error(&e, &["position_buckets", "max_relative_positions 4"]);
    // Without relative attention the two keys are unused, so not checked.
    config.relative_attention = false;
    assert!(config.validate("test").is_ok());
}

#[test]
fn wrong_shaped_weights_are_a_mismatch_naming_the_tensor() {
    let dir = scratch("shape");
    let path = dir.join("model.safetensors");
    let mut tensors = safetensors::load(&path).unwrap();
    let name = "deberta.encoder.rel_embeddings.weight";
    let slot = tensors.iter_mut().find(|(n, _)| n == name).unwrap();
    slot.1 = Tensor::zeros([15, 32]);
    safetensors::save(&path, tensors.iter().map(|(n, t)| (n.as_str(), t)), None).unwrap();
    let e = DebertaV2ForSequenceClassification::from_pretrained(&*dir)
        .err()
        .expect("a mis-shaped tensor is refused");
    assert!(matches!(e, PretrainedError::Mismatch { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(name) && text.contains("[15, 32]") && text.contains("[16, 32]"),
        "{text}"
    );

    // A config asking for another layer: the missing tensors are named.
    let e = load_with("num_hidden_layers", Some(serde_json::json!(3)));
    assert!(matches!(e, PretrainedError::Mismatch { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("deberta.encoder.layer.2.attention.self.query_proj.weight"),
        "{e}"
    );
}

#[test]
fn a_base_model_loads_from_the_classifier_folder_and_skips_the_head() {
    let (model, report) =
        DebertaV2Model::from_pretrained_with_report(fixture_path("deberta/tiny_v3")).unwrap();
    assert_eq!(model.encoder.layer.len(), 2);
    let mut ignored = report.ignored.clone();
    ignored.sort();
    assert_eq!(
        ignored,
        [
            "classifier.bias",
            "classifier.weight",
            "pooler.dense.bias",
            "pooler.dense.weight"
        ]
    );
}

#[test]
fn inputs_that_do_not_fit_are_errors() {
    let model = DebertaV2Model::from_pretrained(fixture_path("deberta/tiny_v3")).unwrap();
    let ids = Tensor::from_vec(vec![1i64, 2, 100], [1, 3]);
    let e = model.try_forward(&EncoderInput::new(ids)).err().unwrap();
    assert!(matches!(e, InputError::IdOutOfRange { id: 100, .. }), "{e}");
    let ids = Tensor::from_vec(vec![1i64, 2, 3], [1, 3]);
    let mask = Tensor::from_vec(vec![1i64, 1], [1, 2]);
    let e = model
        .try_forward(&EncoderInput::new(ids.clone()).with_attention_mask(mask))
        .err()
        .unwrap();
    assert!(matches!(e, InputError::ShapeMismatch { .. }), "{e}");
    // No token-type table (type_vocab_size 0): token types are ignored, as transformers does.
    let types = Tensor::from_vec(vec![0i64, 1, 1], [1, 3]);
    assert!(
        model
            .try_forward(&EncoderInput::new(ids.clone()).with_token_type_ids(types))
            .is_ok()
    );
    // No absolute positions: longer inputs than max_position_embeddings (64) run.
    let long = Tensor::from_vec((0..80).map(|i| i % 99 + 1).collect::<Vec<i64>>(), [1, 80]);
    assert!(model.try_forward(&EncoderInput::new(long)).is_ok());

    let clf = DebertaV2ForSequenceClassification::from_pretrained(fixture_path("deberta/tiny_v3"))
        .unwrap();
    let labels = Tensor::from_vec(vec![3i64], [1]);
    let e = clf
        .try_forward(&EncoderInput::new(ids), Some(&labels))
        .err()
        .unwrap();
    assert!(
        matches!(e, InputError::LabelOutOfRange { label: 3, .. }),
        "{e}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random edits of a valid config.json: loading returns a model or an error, never panics.
    #[test]
    fn mutated_configs_never_panic(
        key in prop::sample::select(vec![
            "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "max_position_embeddings", "position_buckets",
            "max_relative_positions", "pos_att_type", "norm_rel_ebd", "conv_kernel_size",
            "conv_groups", "embedding_size", "type_vocab_size", "relative_attention",
            "share_att_key", "position_biased_input", "pad_token_id", "id2label",
        ]),
        value in prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!(0)),
            Just(serde_json::json!(-1)),
            Just(serde_json::json!(3)),
            Just(serde_json::json!(1.5)),
            Just(serde_json::json!(u64::MAX)),
            Just(serde_json::json!(true)),
            Just(serde_json::json!("p2c")),
            Just(serde_json::json!([1, 2])),
        ],
    ) {
        let dir = scratch("prop");
        let mut config = config_json(&dir);
        config[key] = value;
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        if let Ok(model) = DebertaV2Model::from_pretrained(&*dir) {
            let ids = Tensor::from_vec(vec![1i64, 2, 3, 0], [1, 4]);
            let mask = Tensor::from_vec(vec![1i64, 1, 1, 0], [1, 4]);
            if let Ok(out) = model.try_forward(&EncoderInput::new(ids).with_attention_mask(mask)) {
                let values = out.last_hidden_state.value().to_vec::<f32>();
                prop_assert!(values.iter().all(|v| v.is_finite()));
            }
        }
    }
}

#[test]
fn parameter_count_is_exact_for_every_fixture() {
    // from_pretrained refuses configs whose count exceeds what the weights file can hold, so
    // the count must not overestimate a real model.
    for dir in ["deberta/tiny_v3", "deberta/tiny_v2", "deberta/kiln_v3"] {
        let model = DebertaV2ForSequenceClassification::from_pretrained(fixture_path(dir)).unwrap();
        let actual: usize = model
            .named_parameters()
            .iter()
            .map(|(_, p)| p.value().numel())
            .sum();
        assert_eq!(
            model.config().parameter_count(true),
            Some(actual as u128),
            "{dir}"
        );
        let base = DebertaV2Model::from_pretrained(fixture_path(dir)).unwrap();
        let actual: usize = base
            .named_parameters()
            .iter()
            .map(|(_, p)| p.value().numel())
            .sum();
        assert_eq!(
            base.config().parameter_count(false),
            Some(actual as u128),
            "{dir}"
        );
    }
    let xsmall = DebertaV2Config::deberta_v3_xsmall()
        .parameter_count(false)
        .unwrap();
    // microsoft/deberta-v3-xsmall: 70.7M parameters (48.6M of them the embedding table).
    assert!((70_000_000..71_000_000).contains(&xsmall), "{xsmall}");
}
