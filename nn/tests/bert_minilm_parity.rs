//! all-MiniLM-L6-v2 (`cargo xtask fetch minilm`) against transformers 5.25 on 8 sentences of
//! different lengths padded into one batch (`tests/fixtures/gen_bert.py`): every hidden
//! state, attention probability, pooler output, the sentence-transformers embedding, the
//! reference values in shared/DATA.md, and gradients of a classification loss.

mod support;

use kiln_autograd::{Var, no_grad};
use kiln_nn::Module;
use kiln_nn::models::transfer::{l2_normalize, mean_pooled_features};
use kiln_nn::models::{BertForSequenceClassification, BertModel, EncoderInput};
use kiln_tensor::{Tensor, tensor};
use support::{assert_close, cached_dataset, read_safetensors, zero_padding};

/// Absolute tolerance on activations and probabilities (the bar).
const ATOL: f64 = 1e-4;

fn fixture() -> std::collections::HashMap<String, Tensor> {
    read_safetensors("bert/minilm.safetensors")
}

fn batch(t: &std::collections::HashMap<String, Tensor>) -> EncoderInput {
    EncoderInput::new(t["input_ids"].clone())
        .with_attention_mask(t["attention_mask"].clone())
        .with_token_type_ids(t["token_type_ids"].clone())
}

#[test]
fn every_hidden_state_and_attention_matches_transformers() {
    let Some(dir) = cached_dataset("minilm") else {
        return;
    };
    let t = fixture();
    let model = BertModel::from_pretrained(&dir).unwrap();
    model.eval();
    let _guard = no_grad();
    let out = model.forward(
        &batch(&t)
            .with_output_hidden_states(true)
            .with_output_attentions(true),
    );
    let mask = &t["attention_mask"];
    let mut worst = 0f64;
    let hidden = out.hidden_states.as_ref().unwrap();
    assert_eq!(hidden.len(), 7);
    for (i, h) in hidden.iter().enumerate() {
        worst = worst.max(assert_close(
            &format!("hidden_states.{i}"),
            &zero_padding(&h.value(), mask),
            &zero_padding(&t[&format!("hidden_states.{i}")], mask),
            ATOL,
            0.0,
        ));
    }
    let attentions = out.attentions.as_ref().unwrap();
    assert_eq!(attentions.len(), 6);
    for (i, a) in attentions.iter().enumerate() {
        worst = worst.max(assert_close(
            &format!("attentions.{i}"),
            &a.value(),
            &t[&format!("attentions.{i}")],
            ATOL,
            0.0,
        ));
    }
    worst = worst.max(assert_close(
        "last_hidden_state",
        &zero_padding(&out.last_hidden_state.value(), mask),
        &zero_padding(&t["last_hidden_state"], mask),
        ATOL,
        0.0,
    ));
    worst = worst.max(assert_close(
        "pooler_output",
        &out.pooler_output.as_ref().unwrap().value(),
        &t["pooler_output"],
        ATOL,
        0.0,
    ));
    let embedding = l2_normalize(&mean_pooled_features(&out, mask));
    worst = worst.max(assert_close(
        "sentence_embedding",
        &embedding.value(),
        &t["sentence_embedding"],
        1e-5,
        0.0,
    ));
    eprintln!("largest |kiln - transformers| over all MiniLM outputs: {worst:e}");
}

/// Without `output_attentions`, eval mode under `no_grad` takes the fused attention
/// (`Tensor::scaled_dot_product_attention`, scores never stored whole): the padded batch still
/// gives transformers' outputs.
#[test]
fn the_fused_inference_attention_matches_transformers() {
    let Some(dir) = cached_dataset("minilm") else {
        return;
    };
    let t = fixture();
    let model = BertModel::from_pretrained(&dir).unwrap();
    model.eval();
    let _guard = no_grad();
    let out = model.forward(&batch(&t));
    assert!(out.attentions.is_none());
    let mask = &t["attention_mask"];
    let worst = assert_close(
        "last_hidden_state",
        &zero_padding(&out.last_hidden_state.value(), mask),
        &zero_padding(&t["last_hidden_state"], mask),
        ATOL,
        0.0,
    )
    .max(assert_close(
        "pooler_output",
        &out.pooler_output.as_ref().unwrap().value(),
        &t["pooler_output"],
        ATOL,
        0.0,
    ));
    eprintln!("fused attention: largest |kiln - transformers| {worst:e}");
}

/// shared/DATA.md: "The quick brown fox jumps over the lazy dog." through MiniLM
/// (transformers 5.23 on this machine).
#[test]
fn data_md_reference_values() {
    let Some(dir) = cached_dataset("minilm") else {
        return;
    };
    let model = BertModel::from_pretrained(&dir).unwrap();
    model.eval();
    let _guard = no_grad();
    let ids = tensor![[
        101i64, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102
    ]];
    let mask = Tensor::ones_with([1, 12], kiln_tensor::DType::I64, &kiln_tensor::Device::Cpu);
    let out = model.forward(&EncoderInput::new(ids).with_attention_mask(mask.clone()));
    let h = out.last_hidden_state.value();
    assert_eq!(h.dims(), &[1, 12, 384]);
    let first = h.select(1usize, 0).narrow(1usize, 0, 5).contiguous();
    let last = h.select(1usize, 11).narrow(1usize, 0, 5).contiguous();
    let expect = |v: [f64; 5]| Tensor::from_vec(v.map(|x| x as f32).to_vec(), [1, 5]);
    assert_close(
        "[0,0,:5]",
        &first,
        &expect([0.0464440, 0.3380614, 0.2082051, 0.6467980, -0.1957094]),
        1e-5,
        0.0,
    );
    assert_close(
        "[0,-1,:5]",
        &last,
        &expect([0.3477145, 0.0940039, 0.2563754, 0.8710724, -0.0745283]),
        1e-5,
        0.0,
    );
    let pooled = out.pooler_output.as_ref().unwrap().value();
    assert_close(
        "pooler_output[0,:5]",
        &pooled.narrow(1usize, 0, 5).contiguous(),
        &expect([-0.0662711, 0.0280928, 0.0706132, 0.1165992, -0.0151583]),
        1e-5,
        0.0,
    );
    let embedding = l2_normalize(&mean_pooled_features(&out, &mask)).value();
    assert_close(
        "sentence embedding[:5]",
        &embedding.narrow(1usize, 0, 5).contiguous(),
        &expect([0.0439336, 0.0589344, 0.0481784, 0.0775481, 0.0267444]),
        1e-6,
        0.0,
    );
}

#[test]
fn classification_gradients_match_transformers() {
    let Some(dir) = cached_dataset("minilm") else {
        return;
    };
    let t = fixture();
    let (model, report) =
        BertForSequenceClassification::from_pretrained_with_num_labels(&dir, 2).unwrap();
    assert_eq!(
        report.newly_initialized,
        ["classifier.weight", "classifier.bias"]
    );
    model
        .classifier
        .weight
        .set_value(t["classifier.weight"].clone());
    model
        .classifier
        .bias
        .as_ref()
        .unwrap()
        .set_value(t["classifier.bias"].clone());
    model.eval();
    let out = model.forward(&batch(&t), Some(&t["labels"]));
    let loss = out.loss.unwrap();
    assert_close(
        "loss",
        &loss.value().reshape_to(vec![1]),
        &t["loss"],
        1e-5,
        0.0,
    );
    loss.backward();
    let params: std::collections::HashMap<String, Var> =
        model.named_parameters().into_iter().collect();
    let mut checked = 0;
    for (key, expected) in &t {
        let Some(name) = key.strip_prefix("grad.") else {
            continue;
        };
        let grad = params[name].grad().expect("gradient");
        let rows = expected.dims()[0];
        let actual = if expected.dims() == grad.dims() {
            grad
        } else {
            grad.narrow(0usize, 0, rows).contiguous()
        };
        // ≤ 1e-3 relative to the gradient's own scale (its largest magnitude).
        let scale = expected.abs().max().item::<f32>() as f64;
        assert_close(name, &actual, expected, 1e-3 * scale, 0.0);
        checked += 1;
    }
    assert!(checked >= 5, "{checked} gradients checked");
}
