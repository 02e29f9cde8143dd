//! Transfer learning with DeBERTa-v3, as the seeds' Approach 4 does it: the hidden states of
//! every layer, freezing the embeddings and the first layers, a custom mean-pooling head
//! trained on a frozen encoder, and gradient checkpointing with dropout on. Small random
//! configs, so these run in milliseconds.

use kiln_autograd::{Var, no_grad};
use kiln_nn::functional::{CrossEntropyOptions, cross_entropy};
use kiln_nn::models::transfer::{
    Encoder, concat_last_hidden_states, freeze_all, freeze_bottom, mean_pooled_features,
};
use kiln_nn::models::{DebertaV2Config, DebertaV2Model, EncoderInput};
use kiln_nn::{Forward, Linear, MeanPooling, Module};
use kiln_optim::{AdamConfig, AdamW, Optimizer};
use kiln_tensor::{manual_seed, tensor};

/// The global generator is shared by tests running in parallel.
fn seeded<T>(seed: u64, f: impl FnOnce() -> T) -> T {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(seed);
    f()
}

/// deberta-v3's settings at a small size: 3 layers, 4 buckets over 8 relative positions.
fn config() -> DebertaV2Config {
    let mut c = DebertaV2Config::deberta_v3(60, 16, 3, 2, 24);
    c.position_buckets = 4;
    c.max_relative_positions = 8;
    c
}

fn batch() -> EncoderInput {
    EncoderInput::new(tensor![
        [1i64, 7, 9, 11, 13, 17, 19, 23, 29, 2],
        [1, 5, 3, 2, 0, 0, 0, 0, 0, 0]
    ])
    .with_attention_mask(tensor![
        [1i64, 1, 1, 1, 1, 1, 1, 1, 1, 1],
        [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    ])
}

/// The seeds' custom model: an encoder, mean pooling and a linear head.
#[derive(Module)]
struct MeanPoolClassifier {
    model: DebertaV2Model,
    pool: MeanPooling,
    classifier: Linear,
}

impl MeanPoolClassifier {
    fn forward(&self, input: &EncoderInput) -> Var {
        let out = self.model.forward(input);
        let mask = input.attention_mask.as_ref().unwrap();
        self.classifier
            .forward(&self.pool.forward(&out.last_hidden_state, mask))
    }
}

#[test]
fn hidden_states_of_every_layer_and_mean_pooled_features() {
    let model = seeded(1, || DebertaV2Model::new(&config()));
    model.eval();
    let _guard = no_grad();
    let input = batch().with_output_hidden_states(true);
    let out = model.encode(&input).unwrap();
    let states = out.hidden_states.as_ref().unwrap();
    assert_eq!(states.len(), 4, "embeddings + 3 layers");
    let last = states.last().unwrap().value().to_vec::<f32>();
    assert_eq!(last, out.last_hidden_state.value().to_vec::<f32>());
    assert_eq!(concat_last_hidden_states(&out, 4).dims(), vec![2, 10, 64]);
    let pooled = mean_pooled_features(&out, input.attention_mask.as_ref().unwrap());
    assert_eq!(pooled.dims(), vec![2, 16]);
    // The second row's mean covers its 4 tokens only: changing a padding id changes nothing.
    let mut other = batch();
    other.input_ids = tensor![
        [1i64, 7, 9, 11, 13, 17, 19, 23, 29, 2],
        [1, 5, 3, 2, 44, 44, 44, 44, 44, 44]
    ];
    let again = model.encode(&other).unwrap();
    let again = mean_pooled_features(&again, other.attention_mask.as_ref().unwrap());
    let (a, b) = (
        pooled.value().to_vec::<f32>(),
        again.value().to_vec::<f32>(),
    );
    for (x, y) in a[16..].iter().zip(&b[16..]) {
        assert!((x - y).abs() < 1e-6, "{x} vs {y}");
    }
}

#[test]
fn freezing_the_embeddings_and_the_first_layers() {
    let model = seeded(2, || DebertaV2Model::new(&config()));
    let frozen = freeze_bottom(&model, 1);
    let trainable: Vec<String> = model
        .named_parameters()
        .into_iter()
        .filter(|(_, p)| p.requires_grad())
        .map(|(n, _)| n)
        .collect();
    // word embeddings + their LayerNorm (2) and the 16 tensors of layer 0.
    assert_eq!(frozen, 3 + 16);
    assert!(!trainable.iter().any(|n| n.starts_with("embeddings.")));
    assert!(!trainable.iter().any(|n| n.starts_with("encoder.layer.0.")));
    assert!(trainable.iter().any(|n| n.starts_with("encoder.layer.1.")));
    // The shared relative embeddings belong to no layer: they stay trainable.
    assert!(trainable.contains(&"encoder.rel_embeddings.weight".to_string()));
    assert_eq!(freeze_all(&model), model.named_parameters().len());
}

#[test]
fn a_frozen_encoder_with_a_custom_head_trains_only_the_head() {
    let model = seeded(4, || MeanPoolClassifier {
        model: DebertaV2Model::new(&config()),
        pool: MeanPooling,
        classifier: Linear::new(16, 2, true),
    });
    freeze_all(&model.model);
    model.model.eval();
    let before = model.model.encoder.layer[0]
        .attention
        .self_attention
        .query_proj
        .weight
        .value()
        .to_vec::<f32>();
    let mut optimizer = AdamW::new(model.parameters(), AdamConfig::adamw(1e-2));
    let labels = Var::constant(tensor![1i64, 0]);
    let mut losses = Vec::new();
    for _ in 0..30 {
        let loss = cross_entropy(
            &model.forward(&batch()),
            &labels,
            &CrossEntropyOptions::default(),
        );
        losses.push(loss.value().item::<f32>());
        loss.backward();
        optimizer.step();
        optimizer.zero_grad(true);
    }
    assert!(losses[29] < 0.5 * losses[0], "{losses:?}");
    let after = model.model.encoder.layer[0]
        .attention
        .self_attention
        .query_proj
        .weight
        .value()
        .to_vec::<f32>();
    assert_eq!(before, after, "the frozen encoder must not move");
}

fn gradients(model: &DebertaV2Model, checkpointing: bool, seed: u64) -> Vec<(String, Vec<f32>)> {
    if checkpointing {
        model.gradient_checkpointing_enable();
    } else {
        model.gradient_checkpointing_disable();
    }
    model.zero_grad();
    seeded(seed, || {
        let out = model.forward(&batch());
        out.last_hidden_state.pow_scalar(2.0).mean().backward();
    });
    model
        .named_parameters()
        .into_iter()
        .map(|(n, p)| {
            let g = p.grad().unwrap_or_else(|| panic!("{n} has no gradient"));
            (n, g.to_vec::<f32>())
        })
        .collect()
}

#[test]
fn gradient_checkpointing_gives_the_same_gradients_with_dropout_on() {
    let model = seeded(8, || DebertaV2Model::new(&config()));
    model.train(true);
    let plain = gradients(&model, false, 99);
    let checkpointed = gradients(&model, true, 99);
    for ((name, a), (_, b)) in plain.iter().zip(&checkpointed) {
        assert_eq!(a, b, "{name}");
    }
    // Another dropout seed gives other gradients, so the test can fail.
    let other = gradients(&model, true, 100);
    assert_ne!(plain[0].1, other[0].1);
}
