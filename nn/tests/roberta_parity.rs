//! RoBERTa against transformers 5.25 on random-initialised models saved by transformers
//! (`tests/fixtures/gen_roberta.py`), on a padded batch of 9 sequences made by a byte-level
//! BPE tokenizer trained by HF tokenizers: position ids, every hidden state and attention
//! probability, logits, loss and the gradients of the loss for named weights; the base model
//! with its pooler; `save_pretrained` round trips; and bad input (a wrong-shaped tensor, a
//! config without room for positions, too long an input) as typed errors.

mod support;

use std::collections::HashMap;

use kiln_autograd::{Var, no_grad};
use kiln_nn::Module;
use kiln_nn::models::pretrained;
use kiln_nn::models::roberta::create_position_ids_from_input_ids;
use kiln_nn::models::{
    BertModel, ClassificationConfig, EncoderInput, InputError, PretrainedError, ProblemType,
    RobertaConfig, RobertaForSequenceClassification, RobertaModel,
};
use kiln_tensor::{Tensor, manual_seed, safetensors};
use support::{
    assert_close, assert_same_weights, check_classifier_output, fixture_input, fixture_path,
    read_safetensors,
};

/// Hidden states, attentions, logits and loss agree with transformers to this absolute
/// tolerance (the bound; the measured differences are printed).
const ATOL: f64 = 1e-4;
/// Gradients agree to this fraction of the largest reference element of each tensor.
const GRAD_RTOL: f64 = 1e-3;

const TINY: &str = "roberta/tiny";

fn outputs(dir: &str) -> HashMap<String, Tensor> {
    read_safetensors(&format!("{dir}/outputs.safetensors"))
}

fn inputs(t: &HashMap<String, Tensor>, attentions: bool) -> EncoderInput {
    fixture_input(t, attentions)
}

#[test]
fn position_ids_count_from_the_padding_index() {
    // transformers' create_position_ids_from_input_ids: padding_idx + cumulative count of
    // non-padding tokens, padding_idx on padding (also padding in the middle of a row).
    let ids = Tensor::from_vec(vec![0i64, 5, 2, 1, 1, 0, 1, 7, 2, 1], [2, 5]);
    let positions = create_position_ids_from_input_ids(&ids, 1);
    assert_eq!(
        positions.to_vec::<i64>(),
        vec![2, 3, 4, 1, 1, 2, 1, 3, 4, 1]
    );
}

#[test]
fn tiny_roberta_classifier_matches_transformers() {
    let t = outputs(TINY);
    let (model, report) =
        RobertaForSequenceClassification::from_pretrained_with_report(fixture_path(TINY))
            .expect("the folder loads");
    assert!(
        report.newly_initialized.is_empty() && report.ignored.is_empty(),
        "{report:?}"
    );
    assert!(model.roberta.pooler.is_none());
    model.eval();
    let out = model.forward(&inputs(&t, true), Some(&t["labels"]));
    let hidden = out.hidden_states.as_ref().expect("hidden states");
    assert_eq!(hidden.len(), model.config().num_hidden_layers + 1);
    let params: HashMap<String, Var> = model.named_parameters().into_iter().collect();
    let (worst, grad_worst, checked) =
        check_classifier_output(out, &params, &t, true, ATOL, GRAD_RTOL);
    // The padding row of the position table gets no gradient, as nn.Embedding(padding_idx).
    let pos_grad = params["roberta.embeddings.position_embeddings.weight"]
        .grad()
        .unwrap();
    let row = pos_grad.narrow(0usize, 1, 1).contiguous().to_vec::<f32>();
    assert!(
        row.iter().all(|&g| g == 0.0),
        "padding row gradient {row:?}"
    );
    eprintln!(
        "roberta/tiny: max abs diff {worst:e} (states, attentions, logits, loss), max rel \
         gradient diff {grad_worst:e} over {checked} weights"
    );
}

#[test]
fn base_model_with_pooler_matches_transformers() {
    let t = outputs("roberta/base_pooler");
    let (model, report) =
        RobertaModel::from_pretrained_with_report(fixture_path("roberta/base_pooler")).unwrap();
    assert!(report.newly_initialized.is_empty() && report.ignored.is_empty());
    model.eval();
    let _guard = no_grad();
    let out = model.forward(&inputs(&t, false));
    let a = assert_close(
        "last_hidden_state",
        &out.last_hidden_state.value(),
        &t["last_hidden_state"],
        ATOL,
        0.0,
    );
    let b = assert_close(
        "pooler_output",
        &out.pooler_output.expect("a pooler").value(),
        &t["pooler_output"],
        ATOL,
        0.0,
    );
    eprintln!("roberta/base_pooler: max abs diff {:e}", a.max(b));
}

#[test]
fn base_model_loads_from_the_classifier_folder_and_skips_the_head() {
    let (model, report) = RobertaModel::from_pretrained_with_report(fixture_path(TINY)).unwrap();
    let mut ignored = report.ignored.clone();
    ignored.sort();
    assert_eq!(
        ignored,
        [
            "classifier.dense.bias",
            "classifier.dense.weight",
            "classifier.out_proj.bias",
            "classifier.out_proj.weight"
        ]
    );
    // The classifier folder has no pooler: it is freshly initialised, as in transformers.
    let mut fresh = report.newly_initialized.clone();
    fresh.sort();
    assert_eq!(fresh, ["pooler.dense.bias", "pooler.dense.weight"]);
    let t = outputs(TINY);
    model.eval();
    let _guard = no_grad();
    let out = model.forward(&inputs(&t, false));
    assert_close(
        "last_hidden_state",
        &out.last_hidden_state.value(),
        &t["hidden_states.2"],
        ATOL,
        0.0,
    );
}

#[test]
fn a_classifier_loads_from_a_base_folder_with_a_fresh_head() {
    let (model, report) = RobertaForSequenceClassification::from_pretrained_with_report(
        fixture_path("roberta/base_pooler"),
    )
    .unwrap();
    assert_eq!(
        report.ignored,
        ["roberta.pooler.dense.bias", "roberta.pooler.dense.weight"]
    );
    let mut fresh = report.newly_initialized.clone();
    fresh.sort();
    assert_eq!(
        fresh,
        [
            "classifier.dense.bias",
            "classifier.dense.weight",
            "classifier.out_proj.bias",
            "classifier.out_proj.weight"
        ]
    );
    let w = model.classifier.dense.weight.value().to_vec::<f32>();
    assert!(w.iter().any(|&x| x != 0.0), "the fresh head is initialised");
}

#[test]
fn save_pretrained_round_trips_config_and_weights() {
    let t = outputs(TINY);
    let model = RobertaForSequenceClassification::from_pretrained(fixture_path(TINY)).unwrap();
    model.eval();
    let dir = std::env::temp_dir().join(format!("kiln-roberta-save-{}", std::process::id()));
    model.save_pretrained(&dir).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    assert_eq!(json["model_type"], "roberta");
    assert_eq!(json["pad_token_id"], 1);
    assert_eq!(
        json["architectures"],
        serde_json::json!(["RobertaForSequenceClassification"])
    );
    let mut names: Vec<String> = safetensors::load(dir.join("model.safetensors"))
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    names.sort();
    let mut reference: Vec<String> =
        safetensors::load(fixture_path(TINY).join("model.safetensors"))
            .unwrap()
            .into_iter()
            .map(|(n, _)| n)
            .collect();
    reference.sort();
    assert_eq!(
        names, reference,
        "the same tensor names as transformers wrote"
    );
    let again = RobertaForSequenceClassification::from_pretrained(&dir).unwrap();
    again.eval();
    assert_eq!(again.config(), model.config());
    let _guard = no_grad();
    let a = model.forward(&inputs(&t, false), None).logits.value();
    let b = again.forward(&inputs(&t, false), None).logits.value();
    assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_fresh_model_zeroes_padding_rows_and_trains() {
    manual_seed(3);
    let mut config = RobertaConfig::new(50, 16, 1, 2, 24);
    config.bert.max_position_embeddings = 20;
    config.bert.classification = ClassificationConfig::with_num_labels(2);
    let model = RobertaForSequenceClassification::new(&config);
    let emb = &model.roberta.embeddings;
    for table in [&emb.word_embeddings, &emb.position_embeddings] {
        let row = table.weight.value().narrow(0usize, 1, 1).contiguous();
        assert!(row.to_vec::<f32>().iter().all(|&x| x == 0.0));
    }
    // The longest input is max_position_embeddings - padding_idx - 1 = 18 tokens.
    let ids = |n: usize| Tensor::from_vec(vec![3i64; n], [1, n]);
    let out = model
        .try_forward(
            &EncoderInput::new(ids(18)),
            Some(&Tensor::from_vec(vec![1i64], [1])),
        )
        .unwrap();
    out.loss.unwrap().backward();
    assert!(model.classifier.out_proj.weight.grad().is_some());
    let e = model.try_forward(&EncoderInput::new(ids(19)), None).err();
    assert!(
        matches!(
            e,
            Some(InputError::TooLong {
                seq_len: 19,
                max: 18
            })
        ),
        "{e:?}"
    );
}

/// A fresh copy of the tiny folder in a temporary directory.
fn scratch(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kiln-roberta-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for file in ["config.json", "model.safetensors"] {
        std::fs::copy(fixture_path(TINY).join(file), dir.join(file)).unwrap();
    }
    dir
}

#[test]
fn a_wrong_shaped_tensor_is_a_mismatch_naming_it() {
    let dir = scratch("shape");
    let path = dir.join("model.safetensors");
    let mut tensors = safetensors::load(&path).unwrap();
    let name = "roberta.embeddings.position_embeddings.weight";
    let slot = tensors.iter_mut().find(|(n, _)| n == name).unwrap();
    slot.1 = Tensor::zeros([70, 32]);
    safetensors::save(&path, tensors.iter().map(|(n, t)| (n.as_str(), t)), None).unwrap();
    let e = RobertaForSequenceClassification::from_pretrained(&dir)
        .err()
        .expect("a mis-shaped tensor is refused");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(matches!(e, PretrainedError::Mismatch { .. }), "{e}");
    let text = e.to_string();
    assert!(
        text.contains(name) && text.contains("[70, 32]") && text.contains("[72, 32]"),
        "{text}"
    );
}

#[test]
fn bad_configs_are_errors_naming_the_key() {
    let text = std::fs::read_to_string(fixture_path(TINY).join("config.json")).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["max_position_embeddings"] = 2.into();
    let e = RobertaConfig::from_json(&json.to_string(), "config.json").unwrap_err();
    assert!(e.to_string().contains("max_position_embeddings"), "{e}");
    json["max_position_embeddings"] = 72.into();
    json["model_type"] = "bert".into();
    let e = RobertaConfig::from_json(&json.to_string(), "config.json").unwrap_err();
    assert!(
        e.to_string().contains("RobertaConfig reads \"roberta\""),
        "{e}"
    );
    // BERT's reader refuses a RoBERTa folder rather than load it with the wrong positions.
    let e = BertModel::from_pretrained(fixture_path(TINY))
        .err()
        .unwrap();
    assert!(e.to_string().contains("model_type is \"roberta\""), "{e}");
    // transformers' defaults fill what the file omits.
    let object = json.as_object_mut().unwrap();
    object.remove("pad_token_id");
    object.remove("model_type");
    let config = RobertaConfig::from_json(&json.to_string(), "config.json").unwrap();
    assert_eq!(
        (config.pad_token_id, config.model_type.as_str()),
        (1, "roberta")
    );
    assert!(RobertaConfig::from_json("[1]", "config.json").is_err());
}

#[test]
fn parameter_count_is_exact() {
    let model = RobertaForSequenceClassification::from_pretrained(fixture_path(TINY)).unwrap();
    let count = |m: &dyn Fn() -> usize| m() as u128;
    let actual = count(&|| {
        model
            .named_parameters()
            .iter()
            .map(|(_, p)| p.value().numel())
            .sum()
    });
    assert_eq!(model.config().parameter_count(true), Some(actual));
    let base = RobertaModel::from_pretrained(fixture_path("roberta/base_pooler")).unwrap();
    let actual: usize = base
        .named_parameters()
        .iter()
        .map(|(_, p)| p.value().numel())
        .sum();
    assert_eq!(base.config().parameter_count(false), Some(actual as u128));
}

/// A Kiln-initialised RoBERTa classifier written to `fixtures/roberta/kiln_saved/` (with
/// `KILN_WRITE_FIXTURES=1`) and run by transformers (`gen_roberta.py`). Tests share the global
/// generator, hence the lock.
fn kiln_saved() -> RobertaForSequenceClassification {
    static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _lock = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(31);
    let mut config = RobertaConfig::new(320, 32, 2, 4, 40);
    config.bert.max_position_embeddings = 72;
    config.bert.type_vocab_size = 1;
    config.bert.layer_norm_eps = 1e-5;
    config.bert.classification = ClassificationConfig::with_num_labels(2);
    RobertaForSequenceClassification::new(&config)
}

#[test]
fn transformers_loads_a_folder_saved_by_kiln() {
    let model = kiln_saved();
    let dir = fixture_path("roberta/kiln_saved");
    if std::env::var("KILN_WRITE_FIXTURES").as_deref() == Ok("1") {
        model.save_pretrained(&dir).unwrap();
    }
    // The committed folder is the one transformers ran: Kiln's saved weights equal a fresh
    // model from the same seed, and transformers' outputs equal Kiln's.
    let saved = RobertaForSequenceClassification::from_pretrained(&dir).unwrap();
    assert_same_weights(&saved, &model);
    let t = outputs("roberta/kiln_saved");
    model.eval();
    let _guard = no_grad();
    let out = model.forward(&inputs(&t, false), None);
    let hidden = out.hidden_states.unwrap();
    assert_close(
        "kiln_saved last hidden state",
        &hidden.last().unwrap().value(),
        &t["last_hidden_state"],
        ATOL,
        0.0,
    );
    assert_close(
        "kiln_saved logits",
        &out.logits.value(),
        &t["logits"],
        ATOL,
        0.0,
    );
}

#[test]
fn gradient_checkpointing_gives_the_same_loss_and_gradients() {
    let t = outputs(TINY);
    let model = RobertaForSequenceClassification::from_pretrained(fixture_path(TINY)).unwrap();
    model.eval();
    let run = || {
        model.zero_grad();
        let out = model.forward(&inputs(&t, false), Some(&t["labels"]));
        let loss = out.loss.unwrap();
        loss.backward();
        let grads: Vec<(String, Tensor)> = model
            .named_parameters()
            .into_iter()
            .map(|(n, p)| {
                let g = p.grad().unwrap_or_else(|| panic!("{n} has no gradient"));
                (n, g)
            })
            .collect();
        (loss.value().item::<f64>(), grads)
    };
    let (loss, plain) = run();
    model.roberta.gradient_checkpointing_enable();
    let (loss_ckpt, checkpointed) = run();
    model.roberta.gradient_checkpointing_disable();
    assert_eq!(loss, loss_ckpt);
    for ((name, a), (_, b)) in plain.iter().zip(&checkpointed) {
        assert_close(name, b, a, 1e-6, 1e-5);
    }
    // Hidden states and attentions only on request, as transformers.
    let out = model.forward(&EncoderInput::new(t["input_ids"].clone()), None);
    assert!(out.hidden_states.is_none() && out.attentions.is_none());
}

#[test]
fn loss_follows_the_problem_type_as_transformers() {
    // Float 0/1 labels without problem_type (inferred multi-label, BCE with logits) and as
    // regression targets (MSE), as transformers computed them on the same folder and batch.
    let t = outputs(TINY);
    let losses = read_safetensors("roberta/tiny/losses.safetensors");
    let labels = &losses["float_labels"];
    let _guard = no_grad();
    for (key, problem_type) in [
        ("inferred", None),
        ("regression", Some(ProblemType::Regression)),
    ] {
        let (model, _): (RobertaForSequenceClassification, _) =
            pretrained::from_pretrained_with(&fixture_path(TINY), |config: &mut RobertaConfig| {
                config.bert.classification.problem_type = problem_type;
            })
            .unwrap();
        model.eval();
        let out = model.forward(&inputs(&t, false), Some(labels));
        assert_close(
            key,
            &out.loss.unwrap().value().reshape_to(vec![1]),
            &losses[&format!("loss.{key}")],
            ATOL,
            0.0,
        );
    }
    // A class id outside the labels is a typed error, not a panic.
    let model = RobertaForSequenceClassification::from_pretrained(fixture_path(TINY)).unwrap();
    let bad = Tensor::from_vec(vec![3i64; 9], [9]);
    let e = model.try_forward(&inputs(&t, false), Some(&bad)).err();
    assert!(
        matches!(e, Some(InputError::LabelOutOfRange { .. })),
        "{e:?}"
    );
}
