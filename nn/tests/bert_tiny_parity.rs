//! BERT and DistilBERT against transformers 5.25 on small random-initialised models saved by
//! transformers (`tests/fixtures/gen_bert.py`): every hidden state, attention probability,
//! pooler output, logits and loss of the three problem types, and the reverse direction, a
//! folder saved by Kiln that transformers loads and runs to the same logits.

mod support;

use kiln_autograd::no_grad;
use kiln_nn::Module;
use kiln_nn::models::{
    BertForSequenceClassification, BertModel, DistilBertForSequenceClassification, DistilBertModel,
    EncoderInput,
};
use kiln_tensor::{Tensor, manual_seed};
use support::{assert_close, assert_same_weights, fixture_path, read_safetensors, zero_padding};

/// Outputs of transformers agree with Kiln's to this absolute tolerance (f32 everywhere).
const ATOL: f64 = 2e-5;

fn inputs(t: &std::collections::HashMap<String, Tensor>) -> EncoderInput {
    let mut input = EncoderInput::new(t["input_ids"].clone())
        .with_attention_mask(t["attention_mask"].clone())
        .with_output_hidden_states(true)
        .with_output_attentions(true);
    if let Some(tt) = t.get("token_type_ids") {
        input = input.with_token_type_ids(tt.clone());
    }
    input
}

fn check_states(
    name: &str,
    t: &std::collections::HashMap<String, Tensor>,
    hidden: &[kiln_autograd::Var],
    attentions: &[kiln_autograd::Var],
) {
    let mask = &t["attention_mask"];
    assert_eq!(hidden.len(), 3, "{name}: embeddings + 2 layers");
    for (i, h) in hidden.iter().enumerate() {
        assert_close(
            &format!("{name} hidden_states.{i}"),
            &zero_padding(&h.value(), mask),
            &zero_padding(&t[&format!("hidden_states.{i}")], mask),
            ATOL,
            0.0,
        );
    }
    for (i, a) in attentions.iter().enumerate() {
        // Rows of padding queries are compared too: HF's mask gives them the same
        // distribution over the real keys.
        assert_close(
            &format!("{name} attentions.{i}"),
            &a.value(),
            &t[&format!("attentions.{i}")],
            ATOL,
            0.0,
        );
    }
}

#[test]
fn bert_model_matches_transformers() {
    let t = read_safetensors("bert/tiny_bert/outputs.safetensors");
    let model = BertModel::from_pretrained(fixture_path("bert/tiny_bert")).unwrap();
    model.eval();
    let out = model.forward(&inputs(&t));
    check_states(
        "tiny_bert",
        &t,
        out.hidden_states.as_ref().unwrap(),
        out.attentions.as_ref().unwrap(),
    );
    let mask = &t["attention_mask"];
    assert_close(
        "last_hidden_state",
        &zero_padding(&out.last_hidden_state.value(), mask),
        &zero_padding(&t["last_hidden_state"], mask),
        ATOL,
        0.0,
    );
    assert_close(
        "pooler_output",
        &out.pooler_output.unwrap().value(),
        &t["pooler_output"],
        ATOL,
        0.0,
    );
}

#[test]
fn bert_classification_matches_transformers_for_every_problem_type() {
    for kind in ["single_label", "multi_label", "regression"] {
        let dir = format!("bert/tiny_bert_{kind}");
        let t = read_safetensors(&format!("{dir}/outputs.safetensors"));
        let (model, report) =
            BertForSequenceClassification::from_pretrained_with_report(fixture_path(&dir)).unwrap();
        assert!(
            report.newly_initialized.is_empty() && report.ignored.is_empty(),
            "{report:?}"
        );
        model.eval();
        let _guard = no_grad();
        let out = model.forward(&inputs(&t), Some(&t["labels"]));
        check_states(
            kind,
            &t,
            out.hidden_states.as_ref().unwrap(),
            out.attentions.as_ref().unwrap(),
        );
        assert_close(kind, &out.logits.value(), &t["logits"], ATOL, 0.0);
        assert_close(
            &format!("{kind} loss"),
            &out.loss.unwrap().value().reshape_to(vec![1]),
            &t["loss"],
            ATOL,
            0.0,
        );
    }
}

#[test]
fn distilbert_matches_transformers() {
    let t = read_safetensors("bert/tiny_distilbert/outputs.safetensors");
    let model = DistilBertModel::from_pretrained(fixture_path("bert/tiny_distilbert")).unwrap();
    model.eval();
    let out = model.forward(&inputs(&t));
    assert!(out.pooler_output.is_none());
    check_states(
        "tiny_distilbert",
        &t,
        out.hidden_states.as_ref().unwrap(),
        out.attentions.as_ref().unwrap(),
    );

    let t = read_safetensors("bert/tiny_distilbert_single_label/outputs.safetensors");
    let model = DistilBertForSequenceClassification::from_pretrained(fixture_path(
        "bert/tiny_distilbert_single_label",
    ))
    .unwrap();
    model.eval();
    let out = model.forward(&inputs(&t), Some(&t["labels"]));
    assert_close(
        "distilbert logits",
        &out.logits.value(),
        &t["logits"],
        ATOL,
        0.0,
    );
    assert_close(
        "distilbert loss",
        &out.loss.unwrap().value().reshape_to(vec![1]),
        &t["loss"],
        ATOL,
        0.0,
    );
}

/// The Kiln-initialised model written to `fixtures/bert/kiln_bert/` and run by transformers.
/// Tests run in parallel and share the global generator, so seeding and drawing hold a lock.
fn kiln_bert() -> BertForSequenceClassification {
    static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _lock = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(11);
    let mut config = kiln_nn::models::BertConfig::new(99, 32, 2, 4, 37);
    config.max_position_embeddings = 64;
    config.classification = kiln_nn::models::ClassificationConfig::with_num_labels(3);
    BertForSequenceClassification::new(&config)
}

#[test]
fn transformers_loads_a_folder_saved_by_kiln() {
    let model = kiln_bert();
    let dir = fixture_path("bert/kiln_bert");
    if std::env::var("KILN_WRITE_FIXTURES").as_deref() == Ok("1") {
        model.save_pretrained(&dir).unwrap();
    }
    // The committed folder is the one transformers ran: Kiln's saved weights equal a fresh
    // model from the same seed, and transformers' logits equal Kiln's.
    let saved = BertForSequenceClassification::from_pretrained(&dir).unwrap();
    assert_same_weights(&saved, &model);
    let t = read_safetensors("bert/kiln_bert/outputs.safetensors");
    model.eval();
    let out = model.forward(&inputs(&t), None);
    assert_close(
        "kiln_bert logits",
        &out.logits.value(),
        &t["logits"],
        ATOL,
        0.0,
    );
}

#[test]
fn save_pretrained_round_trips() {
    let model = kiln_bert();
    let dir = std::env::temp_dir().join(format!("kiln-bert-roundtrip-{}", std::process::id()));
    model.save_pretrained(&dir).unwrap();
    let back = BertForSequenceClassification::from_pretrained(&dir).unwrap();
    let mut expected = model.config().clone();
    expected.architectures = vec!["BertForSequenceClassification".into()];
    assert_eq!(back.config(), &expected);
    assert_same_weights(&back, &model);
    std::fs::remove_dir_all(&dir).ok();
}
