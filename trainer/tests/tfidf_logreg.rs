//! The `tfidf_logreg` example's pipeline (TF-IDF 1–3-grams + logistic regression on sparse
//! rows) on 600 IMDB reviews: the training loss falls and held-out accuracy and ROC AUC are
//! far above chance. Skips without the IMDB cache unless `KILN_REQUIRE_DATA=1`.

mod common;
#[path = "../examples/tfidf_logreg/pipeline.rs"]
mod pipeline;

use kiln_data::datasets::Imdb;

#[test]
fn tfidf_logistic_regression_learns_imdb_sentiment() {
    let Some(file) = common::data_file("imdb", "reviews.json") else {
        return;
    };
    let imdb = Imdb::load_from(file.parent().expect("imdb folder")).expect("valid reviews.json");
    // Every 80th review: 625 reviews, both classes (the file lists negatives first).
    let (texts, labels): (Vec<String>, Vec<i64>) = (0..imdb.texts().len())
        .step_by(80)
        .map(|i| (imdb.texts()[i].clone(), imdb.labels()[i]))
        .unzip();
    let settings = pipeline::Settings {
        epochs: 10,
        batch_size: 32,
        lr: 1e-2,
        ..pipeline::Settings::default()
    };
    let eval = pipeline::run(&texts, &labels, &settings).expect("pipeline runs");
    assert_eq!(eval.n_train + eval.n_test, texts.len());
    assert_eq!(eval.n_test, texts.len().div_ceil(5));
    // Word 1- to 3-grams of 500 reviews: far more features than reviews.
    assert!(eval.n_features > 50_000, "{} features", eval.n_features);
    let (first, last) = (eval.epoch_losses[0], *eval.epoch_losses.last().unwrap());
    assert!(last < 0.5 * first, "training loss {first} -> {last}");
    assert!(eval.accuracy > 0.70, "accuracy {}", eval.accuracy);
    assert!(eval.roc_auc > 0.80, "ROC AUC {}", eval.roc_auc);
    assert!(eval.report.contains("    negative "), "{}", eval.report);
    assert!(eval.report.contains("weighted avg"), "{}", eval.report);
}
