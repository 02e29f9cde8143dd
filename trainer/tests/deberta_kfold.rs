//! The `deberta_kfold` example's pipeline on a tiny DeBERTa-v3-style encoder over the sotu
//! Unigram vocabulary: 3 stratified folds of 24 short texts, each fold's Trainer writes its
//! logs, every row gets exactly one out-of-fold prediction, and a Hugging Face-style folder
//! saved from a random encoder runs through the same path as a pretrained checkpoint.

mod common;
#[allow(dead_code)]
#[path = "../examples/deberta_kfold/pipeline.rs"]
mod pipeline;

use kiln_nn::models::{DebertaV2Config, DebertaV2Model};
use kiln_tensor::manual_seed;

fn texts() -> (Vec<String>, Vec<i64>) {
    let good = [
        "a wonderful film",
        "great acting and a moving story",
        "I loved it",
    ];
    let bad = ["a dull film", "wooden acting and no story", "I hated it"];
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for i in 0..12 {
        texts.push(format!("{} {i}", good[i % 3]));
        labels.push(1);
        texts.push(format!("{} {i}", bad[i % 3]));
        labels.push(0);
    }
    (texts, labels)
}

fn tiny_config(vocab: usize) -> DebertaV2Config {
    let mut config = DebertaV2Config::deberta_v3(vocab, 32, 2, 4, 64);
    config.position_buckets = 8;
    config.max_relative_positions = 16;
    config
}

fn settings(name: &str) -> pipeline::Settings {
    let dir =
        std::env::temp_dir().join(format!("kiln-deberta-kfold-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut settings = pipeline::Settings::new(dir);
    settings.max_length = 16;
    settings.batch_size = 4;
    settings.encoder_lr = 1e-3;
    settings.head_lr = 1e-2;
    settings
}

#[test]
fn three_folds_cover_every_row_once() {
    let _rng = common::exclusive();
    let tokenizer = pipeline::sotu_unigram_tokenizer();
    let vocab = kiln_text::Tokenizer::from_file(&tokenizer)
        .unwrap()
        .get_vocab_size(true);
    let encoder = pipeline::Encoder::Random(Box::new(tiny_config(vocab)), tokenizer);
    let (texts, labels) = texts();
    let settings = settings("random");
    let out = pipeline::run(&encoder, &texts, &labels, &settings).unwrap();
    assert_eq!(out.folds.len(), 3);
    assert_eq!(out.oof_predictions.dims(), [24, 2]);
    let mut seen = vec![0; 24];
    for fold in &out.folds {
        assert_eq!(fold.test_indices.len(), 8);
        for &i in &fold.test_indices {
            seen[i] += 1;
            assert_eq!(out.oof_fold[i], fold.fold);
        }
        assert!(
            fold.metrics.contains_key("eval_accuracy"),
            "{:?}",
            fold.metrics
        );
        assert!(
            fold.metrics.contains_key("eval_roc_auc"),
            "{:?}",
            fold.metrics
        );
        assert!(fold.output_dir.join("log.jsonl").exists());
    }
    assert_eq!(seen, vec![1; 24]);
    assert!(
        out.oof_predictions
            .to_vec::<f32>()
            .iter()
            .all(|v| v.is_finite())
    );
    let summary = out.summary.to_string();
    assert!(summary.contains("eval_accuracy"), "{summary}");
    std::fs::remove_dir_all(&settings.output_dir).unwrap();
}

#[test]
fn a_saved_deberta_folder_runs_as_a_pretrained_checkpoint() {
    let _rng = common::exclusive();
    let tokenizer = pipeline::sotu_unigram_tokenizer();
    let vocab = kiln_text::Tokenizer::from_file(&tokenizer)
        .unwrap()
        .get_vocab_size(true);
    let settings = settings("folder");
    let folder = settings.output_dir.with_extension("model");
    manual_seed(3);
    DebertaV2Model::new(&tiny_config(vocab))
        .save_pretrained(&folder)
        .unwrap();
    std::fs::copy(&tokenizer, folder.join("tokenizer.json")).unwrap();
    let (texts, labels) = texts();
    let out = pipeline::run(
        &pipeline::Encoder::Pretrained(folder.clone()),
        &texts,
        &labels,
        &settings,
    )
    .unwrap();
    assert_eq!(out.models.len(), 3);
    // Each fold loaded the folder and trained its own model: 16 rows in batches of 4.
    assert!(out.folds.iter().all(|f| f.train_output.global_step == 4));
    std::fs::remove_dir_all(&settings.output_dir).unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
}
