//! # kiln-trainer
//!
//! Training and evaluation on top of the other Kiln crates. So far it holds [`metrics`]:
//! scikit-learn's classification metrics (`accuracy_score`, `precision_recall_fscore_support`,
//! `roc_auc_score`, `confusion_matrix`, `classification_report`) with identical numbers and
//! report text; and [`classic`]: scikit-learn's `LogisticRegression` (L-BFGS, same optimum)
//! for features from a frozen encoder. The Hugging Face-style `Trainer` is not written yet.
//! The seeds' end-to-end examples (`number_sum`, `number_product`, `fashion_mnist_mlp`,
//! `tfidf_logreg`, `embeddings`, `bert_features_logreg`, `finetune_minilm`) are in
//! `examples/`.

pub mod classic;
pub mod metrics;
