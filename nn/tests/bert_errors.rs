//! Bad input to the BERT-family loaders and models: each case is a typed error that names the
//! problem, never a panic. Uses the tiny transformers-saved folders of `tests/fixtures/bert`.

mod support;

use std::path::{Path, PathBuf};

use kiln_nn::Module;
use kiln_nn::models::{
    BertConfig, BertModel, DistilBertModel, EncoderInput, InputError, PretrainedError,
};
use kiln_tensor::{Tensor, tensor};
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

/// A fresh copy of the tiny BERT folder to break.
fn scratch(tag: &str) -> Scratch {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("kiln-bert-errors-{}-{tag}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture_path("bert/tiny_bert").join(file), dir.join(file)).unwrap();
    }
    Scratch(dir)
}

fn config_json(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap()
}

fn write_config(dir: &Path, value: &serde_json::Value) {
    std::fs::write(dir.join("config.json"), value.to_string()).unwrap();
}

fn load_err(dir: &Path) -> PretrainedError {
    match BertModel::from_pretrained(dir) {
        Ok(_) => panic!("{} loaded", dir.display()),
        Err(e) => e,
    }
}

#[test]
fn truncated_and_corrupt_weights_are_weight_errors() {
    let dir = scratch("truncated");
    let bytes = std::fs::read(dir.join("model.safetensors")).unwrap();
    std::fs::write(dir.join("model.safetensors"), &bytes[..bytes.len() / 2]).unwrap();
    let e = load_err(&dir);
    assert!(matches!(e, PretrainedError::Weights { .. }), "{e}");
    assert!(e.to_string().contains("model.safetensors"), "{e}");

    let mut corrupt = bytes.clone();
    corrupt[8..40].fill(b'#');
    std::fs::write(dir.join("model.safetensors"), &corrupt).unwrap();
    assert!(matches!(load_err(&dir), PretrainedError::Weights { .. }));

    std::fs::remove_file(dir.join("model.safetensors")).unwrap();
    let e = load_err(&dir);
    assert!(matches!(e, PretrainedError::Io { .. }), "{e}");
    assert!(e.to_string().contains("model.safetensors"), "{e}");
}

#[test]
fn config_that_is_not_json_or_lacks_a_key_names_it() {
    let dir = scratch("config");
    std::fs::write(dir.join("config.json"), "{ not json").unwrap();
    let e = load_err(&dir);
    assert!(matches!(e, PretrainedError::Config { .. }), "{e}");
    assert!(e.to_string().contains("config.json"), "{e}");

    let mut value = config_json(&scratch("c2"));
    value.as_object_mut().unwrap().remove("hidden_size");
    write_config(&dir, &value);
    let e = load_err(&dir).to_string();
    assert!(e.contains("missing field `hidden_size`"), "{e}");

    let mut value = config_json(&scratch("c3"));
    value["num_attention_heads"] = serde_json::json!(5);
    write_config(&dir, &value);
    let e = load_err(&dir).to_string();
    assert!(e.contains("not a multiple of num_attention_heads 5"), "{e}");

    let mut value = config_json(&scratch("c4"));
    value["hidden_act"] = serde_json::json!("mish");
    write_config(&dir, &value);
    assert!(load_err(&dir).to_string().contains("mish"));

    // A size that would allocate far more than the weights file holds is refused up front.
    let mut value = config_json(&scratch("c6"));
    value["vocab_size"] = serde_json::json!(1_000_000_000_000u64);
    write_config(&dir, &value);
    let e = load_err(&dir).to_string();
    assert!(e.contains("is a size in the config wrong"), "{e}");

    let mut value = config_json(&scratch("c5"));
    value["model_type"] = serde_json::json!("roberta");
    write_config(&dir, &value);
    assert!(load_err(&dir).to_string().contains("roberta"));
}

#[test]
fn config_that_disagrees_with_the_weights_names_the_tensors() {
    // Wrong hidden size: every tensor is named with both shapes.
    let dir = scratch("hidden");
    let mut value = config_json(&dir);
    value["hidden_size"] = serde_json::json!(48);
    write_config(&dir, &value);
    let e = load_err(&dir);
    assert!(matches!(e, PretrainedError::Mismatch { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(
            "size mismatch for embeddings.word_embeddings.weight: copying a param with shape \
             [99, 32] from checkpoint, the shape in current model is [99, 48]"
        ),
        "{text}"
    );

    // A layer the checkpoint lacks.
    let dir = scratch("layers");
    let mut value = config_json(&dir);
    value["num_hidden_layers"] = serde_json::json!(3);
    write_config(&dir, &value);
    let text = load_err(&dir).to_string();
    assert!(text.contains("Missing key(s)"), "{text}");
    assert!(
        text.contains("\"encoder.layer.2.attention.self.query.weight\""),
        "{text}"
    );

    // Extra tensors the config does not have room for.
    let dir = scratch("extra");
    let mut value = config_json(&dir);
    value["num_hidden_layers"] = serde_json::json!(1);
    write_config(&dir, &value);
    let text = load_err(&dir).to_string();
    assert!(text.contains("Unexpected key(s)"), "{text}");
    assert!(
        text.contains("\"encoder.layer.1.output.dense.bias\""),
        "{text}"
    );

    // The wrong architecture for the folder.
    assert!(DistilBertModel::from_pretrained(fixture_path("bert/tiny_bert")).is_err());
}

fn tiny_model() -> BertModel {
    let mut config = BertConfig::new(50, 8, 1, 2, 16);
    config.max_position_embeddings = 6;
    BertModel::new(&config)
}

#[test]
fn ids_outside_the_vocabulary_are_refused() {
    let model = tiny_model();
    let err = model
        .try_forward(&EncoderInput::new(tensor![[1i64, 50, 2]]))
        .err()
        .unwrap();
    assert_eq!(
        err,
        InputError::IdOutOfRange {
            name: "input_ids",
            id: 50,
            limit: 50
        }
    );
    let err = model
        .try_forward(&EncoderInput::new(tensor![[1i64, -1]]))
        .err()
        .unwrap();
    assert!(matches!(err, InputError::IdOutOfRange { id: -1, .. }));
    let err = model
        .try_forward(&EncoderInput::new(tensor![[1i64, 2]]).with_token_type_ids(tensor![[0i64, 2]]))
        .err()
        .unwrap();
    assert!(matches!(
        err,
        InputError::IdOutOfRange {
            name: "token_type_ids",
            ..
        }
    ));
    let err = model
        .try_forward(&EncoderInput::new(tensor![[1.0f32, 2.0]]))
        .err()
        .unwrap();
    assert!(matches!(err, InputError::BadIds { .. }), "{err}");
    let err = model
        .try_forward(&EncoderInput::new(tensor![[1i64, 2]]).with_attention_mask(tensor![[1i64]]))
        .err()
        .unwrap();
    assert!(matches!(err, InputError::ShapeMismatch { .. }), "{err}");
}

#[test]
fn a_tokenizer_larger_than_the_model_vocabulary_is_caught_at_the_model() {
    // A WordPiece vocabulary of 60 tokens feeding a model of 50 rows: its last tokens get ids
    // the embedding table does not have.
    let mut lines: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    lines.extend((lines.len()..60).map(|i| format!("word{i}")));
    let path = std::env::temp_dir().join(format!("kiln-bert-vocab-{}.txt", std::process::id()));
    std::fs::write(&path, lines.join("\n")).unwrap();
    let tokenizer = kiln_text::Tokenizer::bert_from_vocab_file(&path, true).unwrap();
    let encoding = tokenizer.encode("word5 word59", true).unwrap();
    let ids: Vec<i64> = encoding.ids().iter().map(|&i| i64::from(i)).collect();
    let n = ids.len();
    let err = tiny_model()
        .try_forward(&EncoderInput::new(Tensor::from_vec(ids, [1, n])))
        .err()
        .unwrap();
    assert!(
        matches!(
            err,
            InputError::IdOutOfRange {
                id: 59,
                limit: 50,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("tokenizer"), "{err}");
    std::fs::remove_file(&path).ok();
}

#[test]
fn labels_that_do_not_fit_the_head_are_an_error_naming_the_row() {
    use kiln_nn::models::{
        BertForSequenceClassification, ClassificationConfig, DistilBertConfig,
        DistilBertForSequenceClassification, ProblemType,
    };
    let mut config = BertConfig::new(40, 8, 1, 2, 16);
    config.classification = ClassificationConfig::with_num_labels(3);
    let bert = BertForSequenceClassification::new(&config);
    let mut distil_config = DistilBertConfig::new(40, 8, 1, 2, 16);
    distil_config.classification = ClassificationConfig::with_num_labels(3);
    let distil = DistilBertForSequenceClassification::new(&distil_config);
    let input = EncoderInput::new(tensor![[2i64, 5, 7], [2, 9, 3]]);
    type Head<'a> = &'a dyn Fn(&Tensor) -> Result<(), InputError>;
    let heads: [Head; 2] = [&|l| bert.try_forward(&input, Some(l)).map(|_| ()), &|l| {
        distil.try_forward(&input, Some(l)).map(|_| ())
    }];
    for forward in heads {
        // Class 3 of 3 classes; -100 (ignored) is fine.
        assert!(forward(&tensor![0i64, -100]).is_ok());
        match forward(&tensor![1i64, 3]) {
            Err(InputError::LabelOutOfRange {
                row: 1,
                label: 3,
                num_labels: 3,
            }) => {}
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            forward(&tensor![-1i64, 0]),
            Err(InputError::LabelOutOfRange { row: 0, .. })
        ));
        // Three labels for a batch of two.
        assert!(matches!(
            forward(&tensor![0i64, 1, 2]),
            Err(InputError::BadLabels { .. })
        ));
        // Floats of the wrong shape are read as multi-label, and rejected.
        let err = forward(&tensor![0.5f32, 1.0]).unwrap_err();
        assert!(
            err.to_string().contains("multi_label_classification"),
            "{err}"
        );
    }
    let mut regression = BertConfig::new(40, 8, 1, 2, 16);
    regression.classification =
        ClassificationConfig::with_num_labels(1).with_problem_type(Some(ProblemType::Regression));
    let head = BertForSequenceClassification::new(&regression);
    assert!(
        head.try_forward(&input, Some(&tensor![0.5f32, 1.0]))
            .is_ok()
    );
    assert!(matches!(
        head.try_forward(&input, Some(&tensor![0.5f32])),
        Err(InputError::BadLabels { .. })
    ));
}

#[test]
fn inputs_longer_than_the_positions_are_an_error_unless_truncated() {
    let model = tiny_model();
    let long = EncoderInput::new(Tensor::from_vec((1..=8i64).collect::<Vec<_>>(), [1, 8]))
        .with_attention_mask(Tensor::from_vec(vec![1i64; 8], [1, 8]));
    let err = model.try_forward(&long).err().unwrap();
    assert_eq!(err, InputError::TooLong { seq_len: 8, max: 6 });
    assert!(err.to_string().contains("truncation"));
    let out = model.try_forward(&long.truncate(6)).unwrap();
    assert_eq!(out.last_hidden_state.dims(), vec![1, 6, 8]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Random small configs and random (possibly invalid) inputs: `try_forward` returns a
    /// value or an `InputError`, never panics, and never yields NaN (fully padded rows too).
    #[test]
    fn random_configs_and_inputs_never_panic(
        vocab in 1usize..40,
        heads in 1usize..4,
        head_dim in 1usize..5,
        layers in 0usize..3,
        max_pos in 1usize..8,
        batch in 1usize..3,
        len in 0usize..10,
        ids in proptest::collection::vec(-3i64..45, 0..30),
        mask_bits in proptest::collection::vec(0i64..2, 0..30),
    ) {
        let mut config = BertConfig::new(vocab, heads * head_dim, layers, heads, 3);
        config.max_position_embeddings = max_pos;
        let model = BertModel::new(&config);
        model.eval();
        let n = batch * len;
        let ids: Vec<i64> = (0..n).map(|i| ids.get(i).copied().unwrap_or(0)).collect();
        let mask: Vec<i64> = (0..n).map(|i| mask_bits.get(i).copied().unwrap_or(1)).collect();
        let input = EncoderInput::new(Tensor::from_vec(ids, [batch, len]))
            .with_attention_mask(Tensor::from_vec(mask, [batch, len]));
        if let Ok(out) = model.try_forward(&input) {
            let values = out.last_hidden_state.value().to_vec::<f32>();
            prop_assert!(values.iter().all(|v| v.is_finite()));
        }
    }

    /// Random edits of a valid config.json: loading returns a model or an error, never panics.
    #[test]
    fn mutated_configs_never_panic(
        key in prop::sample::select(vec![
            "vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads",
            "intermediate_size", "max_position_embeddings", "type_vocab_size",
            "layer_norm_eps", "hidden_dropout_prob", "pad_token_id", "id2label", "hidden_act",
        ]),
        value in prop_oneof![
            Just(serde_json::json!(null)),
            Just(serde_json::json!(0)),
            Just(serde_json::json!(-1)),
            Just(serde_json::json!(1.5)),
            Just(serde_json::json!(u64::MAX)),
            Just(serde_json::json!(1_000_000_000_000u64)),
            Just(serde_json::json!("x")),
            Just(serde_json::json!({"7": "a"})),
            Just(serde_json::json!([1, 2])),
        ],
        cut in 0usize..2000,
    ) {
        let dir = scratch("prop");
        let mut config = config_json(&dir);
        config[key] = value;
        let mut text = config.to_string();
        if cut % 3 == 0 {
            text.truncate(cut.min(text.len()));
        }
        std::fs::write(dir.join("config.json"), text).unwrap();
        let _ = BertModel::from_pretrained(&*dir);
    }
}
