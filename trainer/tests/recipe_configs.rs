//! Every example `kiln.toml` under `trainer/configs/` parses and runs end to end on a tiny
//! slice of IMDB (40 training and 20 test reviews, short sequences, one small epoch), so a
//! config that drifts from the code fails here. Skips without the IMDB and MiniLM caches
//! unless `KILN_REQUIRE_DATA=1`.

mod common;

use std::path::{Path, PathBuf};

use kiln_trainer::recipes::{ModelConfig, RecipeConfig, load_data, run_recipe};

fn configs() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
}

/// `config` cut down to a slice that runs in seconds.
fn tiny(mut config: RecipeConfig, out: &Path) -> RecipeConfig {
    config.data.max_train = Some(40);
    config.data.max_test = Some(20);
    config.training.output_dir = out.to_path_buf();
    config.training.num_train_epochs = 1.0;
    config.training.disable_tqdm = true;
    match &mut config.model {
        ModelConfig::Tfidf(t) => t.epochs = 1,
        ModelConfig::Embeddings(e) => e.max_length = 32,
        ModelConfig::Transformer(t) => {
            t.max_length = 32;
            if let Some(s) = &mut t.from_scratch {
                s.vocab_size = 400;
            }
        }
    }
    config
}

#[test]
fn there_is_a_config_for_each_seed_approach() {
    let names: Vec<String> = configs()
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "bert_classifier",
            "embeddings",
            "finetune",
            "from_scratch",
            "tfidf"
        ]
    );
    for path in configs() {
        RecipeConfig::from_file(&path).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_config_runs_on_a_tiny_slice() {
    if common::data_file("imdb", "reviews.json").is_none()
        || common::data_file("minilm", "model.safetensors").is_none()
    {
        return;
    }
    let _rng = common::exclusive();
    for path in configs() {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let out = std::env::temp_dir().join(format!("kiln-config-{name}-{}", std::process::id()));
        let config = tiny(RecipeConfig::from_file(&path).unwrap(), &out);
        let (train, test) = load_data(&config.data, &mut |_| {}).unwrap();
        assert_eq!((train.len(), test.len()), (40, 20), "{name}");
        let outcome = run_recipe(&config, &train, &test, &mut |_| {})
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!((0.0..=1.0).contains(&outcome.scores.accuracy), "{name}");
        assert!(out.join("metrics.json").exists(), "{name}");
        assert!(out.join("report.html").exists(), "{name}");
        let is_transformer = matches!(config.model, ModelConfig::Transformer(_));
        assert_eq!(outcome.model_dir.is_some(), is_transformer, "{name}");
        std::fs::remove_dir_all(&out).unwrap();
    }
}
