//! The seeds' Approach 2 on IMDB: frozen all-MiniLM-L6-v2 sentence embeddings (mean
//! pooling and L2 normalisation) as features for scikit-learn's `LogisticRegression`, 2,000
//! balanced training reviews and 1,000 other balanced held-out ones (`<br />` replaced by
//! spaces). Needs `cargo xtask fetch minilm imdb`.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example bert_features_logreg [MAX_LENGTH=128]
//! ```
//!
//! Python equivalent (transformers + scikit-learn):
//! ```text
//! tok = AutoTokenizer.from_pretrained(MINILM); model = AutoModel.from_pretrained(MINILM).eval()
//! def embed(texts):                       # in batches, under torch.no_grad()
//!     enc = tok(texts, truncation=True, max_length=max_length, padding=True, return_tensors="pt")
//!     h = model(**enc).last_hidden_state
//!     m = enc["attention_mask"].unsqueeze(-1).float()
//!     return F.normalize((h * m).sum(1) / m.sum(1).clamp(min=1e-9), dim=1).numpy()
//! clf = LogisticRegression().fit(embed(train_texts), train_labels)
//! p = clf.predict_proba(embed(test_texts))[:, 1]
//! print(accuracy_score(test_labels, p > 0.5), roc_auc_score(test_labels, p))
//! ```

#[path = "../common/minilm_imdb.rs"]
mod minilm_imdb;
mod pipeline;

use std::error::Error;
use std::time::Instant;

use kiln_data::datasets::Imdb;

fn main() -> Result<(), Box<dyn Error>> {
    kiln_tensor::init_thread_pool(None)?;
    let start = Instant::now();
    let mut settings = pipeline::Settings::default();
    if let Some(arg) = std::env::args().nth(1) {
        settings.max_length = arg.parse()?;
    }
    let imdb = Imdb::load()?;
    let sample = minilm_imdb::balanced_sample(
        imdb.texts(),
        imdb.labels(),
        settings.n_train,
        settings.n_test,
        settings.seed,
    );
    println!(
        "IMDB: {} training / {} held-out reviews, max length {}",
        sample.train_texts.len(),
        sample.test_texts.len(),
        settings.max_length
    );
    let eval = pipeline::run(&minilm_imdb::minilm_dir(), &sample, &settings)?;
    println!(
        "MiniLM features: {} × {} + {} × {} in {:.1} s ({:.0}% of reviews truncated)",
        eval.n_train,
        eval.n_features,
        eval.n_test,
        eval.n_features,
        eval.encode_seconds,
        100.0 * eval.truncated
    );
    println!(
        "LogisticRegression: {} L-BFGS iterations{} in {:.2} s, training accuracy {:.4}",
        eval.n_iter,
        if eval.converged {
            ""
        } else {
            " (not converged)"
        },
        eval.fit_seconds,
        eval.train_accuracy
    );
    println!("held-out accuracy: {:.4}", eval.accuracy);
    println!("held-out ROC AUC:  {:.4}", eval.roc_auc);
    println!("wall time: {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}
