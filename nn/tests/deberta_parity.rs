//! DeBERTa-v2/v3 against transformers 5.25 on random-initialised models saved by transformers
//! (`tests/fixtures/gen_deberta.py`): the relative-position buckets, every hidden state and
//! attention probability, logits, loss and the gradients of the loss for named weights, on a
//! padded batch of 9 sequences (one fully padded). `tiny_v3` has deberta-v3's settings,
//! `tiny_v2` the other paths (separate position projections, absolute positions, token types,
//! `embed_proj`, the ConvLayer, no buckets). The deberta-v3-xsmall-shaped model is generated
//! into the cache (`gen_deberta.py --xsmall`, about 90 MB) and its test skips without it.
//! Also: gradient checkpointing, finite differences, and `save_pretrained` round trips.

mod support;

use std::collections::HashMap;

use kiln_autograd::{Var, no_grad};
use kiln_nn::Module;
use kiln_nn::models::deberta_v2::relative_position::build_relative_position;
use kiln_nn::models::{
    ClassificationConfig, DebertaV2Config, DebertaV2ForSequenceClassification, EncoderInput,
};
use kiln_tensor::{Tensor, manual_seed};
use support::{
    assert_close, assert_same_weights, check_classifier_output, fixture_input, fixture_path,
    kiln_cache, read_safetensors,
};

/// Hidden states, attentions, logits and loss agree with transformers to this absolute
/// tolerance (the bound; the measured differences are printed).
const ATOL: f64 = 1e-4;
/// Gradients agree to this fraction of the largest reference element of each tensor.
const GRAD_RTOL: f64 = 1e-3;

fn inputs(t: &HashMap<String, Tensor>, attentions: bool) -> EncoderInput {
    fixture_input(t, attentions)
}

/// Loads `dir`, runs the fixture's batch with labels, compares everything the fixture holds
/// and returns the largest (hidden/logit abs, gradient rel) differences.
fn check_model(dir: &std::path::Path, attentions: bool) -> (f64, f64) {
    let t: HashMap<String, Tensor> =
        kiln_tensor::safetensors::load(dir.join("outputs.safetensors"))
            .expect("outputs load")
            .into_iter()
            .collect();
    let (model, report) = DebertaV2ForSequenceClassification::from_pretrained_with_report(dir)
        .expect("the folder loads");
    assert!(
        report.newly_initialized.is_empty() && report.ignored.is_empty(),
        "{report:?}"
    );
    model.eval();
    let out = model.forward(&inputs(&t, attentions), Some(&t["labels"]));
    let hidden = out.hidden_states.as_ref().expect("hidden states");
    assert_eq!(hidden.len(), model.config().num_hidden_layers + 1);
    // Padding positions are compared too: transformers' mask gives padding queries a
    // uniform distribution over every key, and Kiln's the same.
    let params: HashMap<String, Var> = model.named_parameters().into_iter().collect();
    let (worst, grad_worst, checked) =
        check_classifier_output(out, &params, &t, attentions, ATOL, GRAD_RTOL);
    eprintln!(
        "{}: max abs diff {worst:e} (states, logits, loss), max rel gradient diff \
         {grad_worst:e} over {checked} weights",
        dir.display()
    );
    (worst, grad_worst)
}

#[test]
fn relative_positions_match_transformers() {
    let t = read_safetensors("deberta/relative_positions.safetensors");
    for (buckets, max_pos, len) in [(8usize, 16usize, 64usize), (256, 512, 512)] {
        let ours = build_relative_position(len, len, Some((buckets, max_pos)));
        let key = format!("buckets{buckets}_max{max_pos}");
        assert_eq!(
            ours.narrow(0usize, 0, 1)
                .reshape_to(vec![len])
                .to_vec::<i64>(),
            t[&format!("{key}.first_row")].to_vec::<i64>(),
            "{key} first row"
        );
        assert_eq!(
            ours.narrow(1usize, 0, 1)
                .contiguous()
                .reshape_to(vec![len])
                .to_vec::<i64>(),
            t[&format!("{key}.first_col")].to_vec::<i64>(),
            "{key} first column"
        );
    }
}

#[test]
fn tiny_v3_matches_transformers() {
    check_model(&fixture_path("deberta/tiny_v3"), true);
}

#[test]
fn tiny_v2_with_conv_embed_proj_and_separate_position_projections_matches_transformers() {
    check_model(&fixture_path("deberta/tiny_v2"), true);
}

/// Runs where `gen_deberta.py --xsmall` has written the model into the cache (it needs torch,
/// which CI does not install, so `KILN_REQUIRE_DATA` does not make it required).
#[test]
fn deberta_v3_xsmall_shape_matches_transformers() {
    let dir = kiln_cache()
        .unwrap_or_default()
        .join("deberta-xsmall-random");
    if !dir.is_dir() {
        eprintln!(
            "skipping: {} missing (python nn/tests/fixtures/gen_deberta.py --xsmall)",
            dir.display()
        );
        return;
    }
    check_model(&dir, false);
}

/// The fixture's loss and the gradients of every parameter, for `model` on the tiny_v3 batch.
fn loss_and_grads(
    model: &DebertaV2ForSequenceClassification,
    t: &HashMap<String, Tensor>,
) -> (f64, Vec<(String, Tensor)>) {
    model.zero_grad();
    let out = model.forward(&inputs(t, false), Some(&t["labels"]));
    let loss = out.loss.unwrap();
    loss.backward();
    let grads = model
        .named_parameters()
        .into_iter()
        .map(|(n, p)| {
            let g = p.grad().unwrap_or_else(|| panic!("{n} has no gradient"));
            (n, g)
        })
        .collect();
    (loss.value().item::<f64>(), grads)
}

#[test]
fn gradient_checkpointing_gives_the_same_loss_and_gradients() {
    let t = read_safetensors("deberta/tiny_v3/outputs.safetensors");
    let model =
        DebertaV2ForSequenceClassification::from_pretrained(fixture_path("deberta/tiny_v3"))
            .unwrap();
    model.eval();
    let (loss, plain) = loss_and_grads(&model, &t);
    model.deberta.gradient_checkpointing_enable();
    let (loss_ckpt, checkpointed) = loss_and_grads(&model, &t);
    assert_eq!(loss, loss_ckpt);
    for ((name, a), (_, b)) in plain.iter().zip(&checkpointed) {
        assert_close(name, b, a, 1e-6, 1e-5);
    }
}

#[test]
fn gradients_match_finite_differences() {
    // Central differences of the loss for single elements of weights the relative terms
    // touch (in f32, so a loose tolerance; the parity above is the precise check).
    let dir = fixture_path("deberta/tiny_v2");
    let t = read_safetensors("deberta/tiny_v2/outputs.safetensors");
    let model = DebertaV2ForSequenceClassification::from_pretrained(&dir).unwrap();
    model.eval();
    let (_, grads) = loss_and_grads(&model, &t);
    let grads: HashMap<String, Tensor> = grads.into_iter().collect();
    let params: HashMap<String, Var> = model.named_parameters().into_iter().collect();
    let loss_at = || {
        let _guard = no_grad();
        let out = model.forward(&inputs(&t, false), Some(&t["labels"]));
        out.loss.unwrap().value().item::<f64>()
    };
    let eps = 1e-2f32;
    for (name, element) in [
        ("deberta.encoder.rel_embeddings.weight", 37),
        (
            "deberta.encoder.layer.0.attention.self.pos_key_proj.weight",
            100,
        ),
        (
            "deberta.encoder.layer.1.attention.self.pos_query_proj.weight",
            555,
        ),
        ("deberta.encoder.conv.conv.weight", 71),
        ("deberta.embeddings.embed_proj.weight", 5),
        ("pooler.dense.weight", 9),
    ] {
        let p = &params[name];
        let original = p.value().contiguous();
        let shifted = |delta: f32| {
            let mut v = original.to_vec::<f32>();
            v[element] += delta;
            Tensor::from_vec(v, original.dims().to_vec())
        };
        p.set_value(shifted(eps));
        let up = loss_at();
        p.set_value(shifted(-eps));
        let down = loss_at();
        p.set_value(original.clone());
        let numeric = (up - down) / (2.0 * f64::from(eps));
        let analytic = grads[name].to_vec::<f64>()[element];
        assert!(
            (numeric - analytic).abs() <= 2e-4 + 2e-2 * analytic.abs(),
            "{name}[{element}]: analytic {analytic:e} vs finite difference {numeric:e}"
        );
    }
}

#[test]
fn save_pretrained_round_trips_config_and_weights() {
    let t = read_safetensors("deberta/tiny_v2/outputs.safetensors");
    let model =
        DebertaV2ForSequenceClassification::from_pretrained(fixture_path("deberta/tiny_v2"))
            .unwrap();
    model.eval();
    let dir = std::env::temp_dir().join(format!("kiln-deberta-save-{}", std::process::id()));
    model.save_pretrained(&dir).unwrap();
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["model_type"], "deberta-v2");
    assert_eq!(json["pos_att_type"], serde_json::json!(["c2p", "p2c"]));
    assert_eq!(
        json["architectures"],
        serde_json::json!(["DebertaV2ForSequenceClassification"])
    );
    let (again, report) =
        DebertaV2ForSequenceClassification::from_pretrained_with_report(&dir).unwrap();
    assert!(report.newly_initialized.is_empty() && report.ignored.is_empty());
    again.eval();
    assert_eq!(again.config(), model.config());
    let _guard = no_grad();
    let a = model.forward(&inputs(&t, false), None).logits.value();
    let b = again.forward(&inputs(&t, false), None).logits.value();
    assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A Kiln-initialised model with deberta-v3's settings plus the keys only v2 uses
/// (`embedding_size`, token types, the ConvLayer), written to `fixtures/deberta/kiln_v3/` and
/// run by transformers (`gen_deberta.py`). Tests share the global generator, hence the lock.
fn kiln_v3() -> DebertaV2ForSequenceClassification {
    static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _lock = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(21);
    let mut config = DebertaV2Config::deberta_v3(90, 32, 2, 4, 40);
    config.max_position_embeddings = 32;
    config.position_buckets = 8;
    config.max_relative_positions = 16;
    config.type_vocab_size = 2;
    config.embedding_size = Some(24);
    config.conv_kernel_size = 3;
    config.classification = ClassificationConfig::with_num_labels(3);
    DebertaV2ForSequenceClassification::new(&config)
}

#[test]
fn transformers_loads_a_folder_saved_by_kiln() {
    let model = kiln_v3();
    let dir = fixture_path("deberta/kiln_v3");
    if std::env::var("KILN_WRITE_FIXTURES").as_deref() == Ok("1") {
        model.save_pretrained(&dir).unwrap();
    }
    // The committed folder is the one transformers ran: Kiln's saved weights equal a fresh
    // model from the same seed, and transformers' outputs equal Kiln's.
    let saved = DebertaV2ForSequenceClassification::from_pretrained(&dir).unwrap();
    assert_same_weights(&saved, &model);
    let t = read_safetensors("deberta/kiln_v3/outputs.safetensors");
    model.eval();
    let _guard = no_grad();
    let out = model.forward(&inputs(&t, false), None);
    let hidden = out.hidden_states.unwrap();
    assert_close(
        "kiln_v3 last hidden state",
        &hidden.last().unwrap().value(),
        &t["last_hidden_state"],
        ATOL,
        0.0,
    );
    assert_close(
        "kiln_v3 logits",
        &out.logits.value(),
        &t["logits"],
        ATOL,
        0.0,
    );
}

#[test]
fn loss_without_problem_type_follows_transformers_deberta_rules() {
    // Soft labels and all-negative class ids (loss 0), as transformers computed them on the
    // same folder and batch.
    let t = read_safetensors("deberta/tiny_v3/outputs.safetensors");
    let losses = read_safetensors("deberta/tiny_v3/losses.safetensors");
    let model =
        DebertaV2ForSequenceClassification::from_pretrained(fixture_path("deberta/tiny_v3"))
            .unwrap();
    model.eval();
    let _guard = no_grad();
    for key in ["soft_labels", "negative_labels"] {
        let out = model.forward(&inputs(&t, false), Some(&losses[key]));
        assert_close(
            key,
            &out.loss.unwrap().value().reshape_to(vec![1]),
            &losses[&format!("loss.{key}")],
            ATOL,
            0.0,
        );
    }
    // [B, 1] class ids are read as [B] (transformers' own gather fails on them).
    let labels = &t["labels"];
    let column = labels.reshape_to(vec![labels.numel(), 1]);
    let flat = model
        .forward(&inputs(&t, false), Some(labels))
        .loss
        .unwrap();
    let col = model
        .forward(&inputs(&t, false), Some(&column))
        .loss
        .unwrap();
    assert_eq!(flat.value().item::<f32>(), col.value().item::<f32>());
    assert_close(
        "loss",
        &flat.value().reshape_to(vec![1]),
        &t["loss"],
        ATOL,
        0.0,
    );
}
