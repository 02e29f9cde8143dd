//! `kiln demo --quick` end to end, as the README's main job runs it: all four methods on
//! IMDB, one table, a report per run, the summary, and the three example predictions.
//! Skips without the IMDB and MiniLM caches unless `KILN_REQUIRE_DATA=1` (`cargo xtask
//! test` fetches them first, as `kiln demo` itself would on a fresh machine).

mod common;

use std::process::Command;

#[test]
fn quick_demo_prints_the_table_and_writes_every_report() {
    if common::data_file("imdb", "reviews.json").is_none()
        || common::data_file("minilm", "model.safetensors").is_none()
    {
        return;
    }
    let out_dir = std::env::temp_dir().join(format!("kiln-demo-quick-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = Command::new(env!("CARGO_BIN_EXE_kiln"))
        .args(["demo", "--quick", "--out"])
        .arg(&out_dir)
        .output()
        .expect("kiln runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for method in [
        "TF-IDF + logistic regression",
        "MiniLM embeddings + logistic regression",
        "transformer from scratch",
        "MiniLM fine-tuned",
    ] {
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {method}")))
            .unwrap_or_else(|| panic!("no row for {method} in:\n{stdout}"));
        assert_eq!(row.matches('|').count(), 8, "{row}");
        assert!(row.contains('%') && row.contains("reviews/s"), "{row}");
    }
    assert!(stdout.contains("best: "), "{stdout}");
    assert_eq!(
        stdout.matches("  positive (").count() + stdout.matches("  negative (").count(),
        3
    );
    for run in ["1-tfidf", "2-embeddings", "3-scratch", "4-finetune"] {
        for file in ["report.html", "metrics.json", "loss.svg"] {
            if file == "loss.svg" && run == "2-embeddings" {
                continue; // a logistic regression logs no training loss
            }
            assert!(out_dir.join(run).join(file).exists(), "{run}/{file}");
        }
    }
    assert!(out_dir.join("4-finetune/model/model.safetensors").exists());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap())
            .unwrap();
    assert_eq!(summary["methods"].as_array().unwrap().len(), 4);
    assert!(
        std::fs::read_to_string(out_dir.join("summary.md"))
            .unwrap()
            .contains("| method |")
    );
    std::fs::remove_dir_all(&out_dir).unwrap();
}
