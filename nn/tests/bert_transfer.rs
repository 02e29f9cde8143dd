//! Transfer learning with BERT-family encoders, as the seeds do it: feature extraction,
//! partial and full freezing, a custom mean-pooling head, parameter groups with an encoder
//! and a head learning rate, re-initialising the top layers, and gradient checkpointing (same
//! gradients, dropout included). Small random configs, so these run in milliseconds.

use kiln_autograd::{Var, no_grad};
use kiln_nn::functional::{CrossEntropyOptions, cross_entropy};
use kiln_nn::models::transfer::{
    Encoder, cls_features, concat_last_hidden_states, freeze_all, freeze_bottom,
    mean_pooled_features,
};
use kiln_nn::models::{
    BertConfig, BertForSequenceClassification, BertModel, ClassificationConfig, DistilBertConfig,
    DistilBertModel, EncoderInput,
};
use kiln_nn::{Forward, Linear, MeanPooling, Module};
use kiln_optim::{AdamConfig, AdamW, GroupingConfig, Optimizer, param_groups_from_named};
use kiln_tensor::{Tensor, manual_seed, tensor};

/// The global generator is shared by tests running in parallel.
fn seeded<T>(seed: u64, f: impl FnOnce() -> T) -> T {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _lock = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(seed);
    f()
}

fn config() -> BertConfig {
    let mut c = BertConfig::new(60, 16, 3, 2, 24);
    c.max_position_embeddings = 16;
    c
}

fn batch() -> EncoderInput {
    EncoderInput::new(tensor![[2i64, 7, 9, 11, 3], [2, 5, 3, 0, 0]])
        .with_attention_mask(tensor![[1i64, 1, 1, 1, 1], [1, 1, 1, 0, 0]])
}

/// The seeds' custom model: an encoder, mean pooling and a linear head (`DAIGTModel`).
#[derive(Module)]
struct MeanPoolClassifier {
    model: BertModel,
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
fn features_cls_mean_and_last_four_layers() {
    let model = seeded(1, || BertModel::new(&config()));
    model.eval();
    let _guard = no_grad();
    let input = batch().with_output_hidden_states(true);
    let out = model.forward(&input);
    assert_eq!(cls_features(&out).dims(), vec![2, 16]);
    let mean = mean_pooled_features(&out, input.attention_mask.as_ref().unwrap());
    // The second sequence's mean ignores its two padding positions.
    let h = out.last_hidden_state.value();
    let manual = h
        .select(0usize, 1)
        .narrow(0usize, 0, 3)
        .mean_dim(&[0], false);
    let got = mean.value().select(0usize, 1);
    for (a, b) in got.to_vec::<f32>().iter().zip(manual.to_vec::<f32>()) {
        assert!((a - b).abs() < 1e-6);
    }
    assert_eq!(concat_last_hidden_states(&out, 4).dims(), vec![2, 5, 64]);
}

#[test]
fn freezing_the_bottom_layers_and_the_whole_encoder() {
    let model = seeded(2, || BertModel::new(&config()));
    let frozen = freeze_bottom(&model, 2);
    // 5 embedding tensors + 16 per layer.
    assert_eq!(frozen, 5 + 2 * 16);
    let trainable: Vec<String> = model
        .named_parameters()
        .into_iter()
        .filter(|(_, p)| p.requires_grad())
        .map(|(n, _)| n)
        .collect();
    assert!(
        trainable
            .iter()
            .all(|n| n.starts_with("encoder.layer.2.") || n.starts_with("pooler."))
    );
    let out = model.forward(&batch());
    out.last_hidden_state.sum().backward();
    assert!(model.embeddings.word_embeddings.weight.grad().is_none());
    assert!(model.encoder.layer[2].output.dense.weight.grad().is_some());

    let distil = seeded(3, || {
        DistilBertModel::new(&DistilBertConfig::new(60, 16, 2, 2, 24))
    });
    assert_eq!(distil.layers_prefix(), "transformer.layer");
    freeze_bottom(&distil, 1);
    assert!(!distil.transformer.layer[0].ffn.lin1.weight.requires_grad());
    assert!(distil.transformer.layer[1].ffn.lin1.weight.requires_grad());
    assert_eq!(freeze_all(&distil), distil.parameters().len());
}

#[test]
fn a_frozen_encoder_with_a_custom_head_trains_only_the_head() {
    let model = seeded(4, || MeanPoolClassifier {
        model: BertModel::new(&config()),
        pool: MeanPooling,
        classifier: Linear::new(16, 2, true),
    });
    freeze_all(&model.model);
    // Feature extraction: the frozen encoder runs in eval mode, so no dropout draws.
    model.model.eval();
    let before = model.model.encoder.layer[0]
        .intermediate
        .dense
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
        .intermediate
        .dense
        .weight
        .value()
        .to_vec::<f32>();
    assert_eq!(before, after, "the frozen encoder must not move");
}

#[test]
fn full_fine_tuning_with_encoder_and_head_learning_rates() {
    let model = seeded(5, || {
        let mut c = config();
        c.classification = ClassificationConfig::with_num_labels(2);
        c.hidden_dropout_prob = 0.0;
        c.attention_probs_dropout_prob = 0.0;
        BertForSequenceClassification::new(&c)
    });
    let grouping = GroupingConfig::new(0.01).with_encoder("bert.", 3e-3, 1e-2);
    let groups = param_groups_from_named(model.named_parameters(), &grouping);
    // encoder decay / encoder no-decay (bias, LayerNorm) / head decay / head no-decay.
    assert_eq!(groups.len(), 4);
    assert_eq!(groups[0].lr, Some(3e-3));
    assert_eq!(groups[1].weight_decay, Some(0.0));
    assert_eq!(groups[2].lr, Some(1e-2));
    assert_eq!(groups[3].params.len(), 1);
    let no_decay_names: Vec<String> = model
        .named_parameters()
        .into_iter()
        .filter(|(n, _)| grouping.is_no_decay(n))
        .map(|(n, _)| n)
        .collect();
    assert!(no_decay_names.contains(&"bert.embeddings.LayerNorm.weight".to_string()));
    assert!(no_decay_names.contains(&"classifier.bias".to_string()));
    let mut optimizer = AdamW::new(groups, AdamConfig::adamw(1e-3));
    let labels = tensor![1i64, 0];
    let first = model
        .forward(&batch(), Some(&labels))
        .loss
        .unwrap()
        .value()
        .item::<f32>();
    for _ in 0..40 {
        let loss = model.forward(&batch(), Some(&labels)).loss.unwrap();
        loss.backward();
        optimizer.step();
        optimizer.zero_grad(true);
    }
    let last = model
        .forward(&batch(), Some(&labels))
        .loss
        .unwrap()
        .value()
        .item::<f32>();
    assert!(last < 0.2 * first, "{first} -> {last}");
}

#[test]
fn reinit_last_layers_touches_only_those_layers() {
    let model = seeded(6, || BertModel::new(&config()));
    let snapshot = |i: usize| {
        model.encoder.layer[i]
            .attention
            .self_attention
            .key
            .weight
            .value()
            .to_vec::<f32>()
    };
    let (l0, l2) = (snapshot(0), snapshot(2));
    seeded(7, || model.reinit_last_layers(1));
    assert_eq!(snapshot(0), l0);
    assert_ne!(snapshot(2), l2);
    // LayerNorm weights go back to ones, biases to zeros.
    let ln = &model.encoder.layer[2].output.layer_norm;
    assert!(
        ln.weight
            .as_ref()
            .unwrap()
            .value()
            .to_vec::<f32>()
            .iter()
            .all(|&w| w == 1.0)
    );
    assert!(
        ln.bias
            .as_ref()
            .unwrap()
            .value()
            .to_vec::<f32>()
            .iter()
            .all(|&b| b == 0.0)
    );
}

/// Gradients of every parameter but the (unused) pooler's after one backward, by name.
fn gradients(model: &BertModel, checkpointing: bool, seed: u64) -> Vec<(String, Vec<f32>)> {
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
        .filter(|(n, _)| !n.starts_with("pooler."))
        .map(|(n, p)| {
            (
                n,
                p.grad()
                    .expect("every encoder parameter gets a gradient")
                    .to_vec::<f32>(),
            )
        })
        .collect()
}

#[test]
fn gradient_checkpointing_gives_the_same_gradients_with_dropout_on() {
    let model = seeded(8, || BertModel::new(&config()));
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

#[test]
fn input_ids_as_tensor_of_zeros_length_one_work() {
    let model = seeded(9, || BertModel::new(&config()));
    let out = model.forward(&EncoderInput::new(Tensor::zeros_with(
        [1, 1],
        kiln_tensor::DType::I64,
        &kiln_tensor::Device::Cpu,
    )));
    assert_eq!(out.pooler_output.unwrap().dims(), vec![1, 16]);
}

#[test]
fn classifier_pooling_mean_is_the_mean_pooling_head_and_survives_a_save() {
    let mut config = config();
    config.classifier_pooling = kiln_nn::models::ClassifierPooling::Mean;
    config.classification = ClassificationConfig::with_num_labels(3);
    let model = seeded(5, || BertForSequenceClassification::new(&config));
    assert!(model.bert.pooler.is_none(), "no pooler is built");
    assert!(
        !model
            .named_parameters()
            .iter()
            .any(|(n, _)| n.contains("pooler"))
    );
    model.eval();
    let _guard = no_grad();
    let input = batch();
    let logits = model.forward(&input, None).logits.value().to_vec::<f32>();
    let out = model.bert.forward(&input);
    let pooled = mean_pooled_features(&out, input.attention_mask.as_ref().unwrap());
    let want = model.classifier.forward(&pooled).value().to_vec::<f32>();
    assert_eq!(logits, want);

    let dir = std::env::temp_dir().join(format!("kiln-mean-pool-{}", std::process::id()));
    model.save_pretrained(&dir).unwrap();
    let text = std::fs::read_to_string(dir.join("config.json")).unwrap();
    assert!(text.contains("\"classifier_pooling\": \"mean\""), "{text}");
    let loaded = BertForSequenceClassification::from_pretrained(&dir).unwrap();
    loaded.eval();
    let again = loaded.forward(&input, None).logits.value().to_vec::<f32>();
    assert_eq!(again, logits);
    std::fs::remove_dir_all(&dir).unwrap();

    // A plain BERT config still writes no `classifier_pooling` key, and its pooler weights
    // are skipped (and reported) when it is loaded as a mean-pooling classifier.
    let plain = seeded(5, || BertForSequenceClassification::new(&self::config()));
    let json = serde_json::to_string(plain.config()).unwrap();
    assert!(!json.contains("classifier_pooling"));
    plain.save_pretrained(&dir).unwrap();
    let (mean, report) =
        kiln_nn::models::pretrained::from_pretrained_with(&dir, |c: &mut BertConfig| {
            c.classifier_pooling = kiln_nn::models::ClassifierPooling::Mean
        })
        .unwrap();
    let _: &BertForSequenceClassification = &mean;
    let mut ignored = report.ignored.clone();
    ignored.sort();
    assert_eq!(
        ignored,
        ["bert.pooler.dense.bias", "bert.pooler.dense.weight"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
