//! The seeds' Approach 1 on IMDB: TF-IDF (word 1- to 3-grams, sublinear tf) + logistic
//! regression trained with kiln-optim, evaluated on a stratified held-out 20 %.
//!
//! ```text
//! cargo xtask fetch imdb
//! cargo run --release -p kiln-trainer --example tfidf_logreg [N_REVIEWS]
//! ```
//!
//! Python equivalent (scikit-learn + PyTorch):
//! ```text
//! X_tr, X_te, y_tr, y_te = train_test_split(texts, labels, test_size=0.2, stratify=labels)
//! vec = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True)
//! X_tr = vec.fit_transform(X_tr); X_te = vec.transform(X_te)
//! model = nn.Linear(X_tr.shape[1], 1)   # trained with Adam on BCEWithLogitsLoss
//! print(accuracy_score(...), roc_auc_score(...), classification_report(...))
//! ```

mod pipeline;

use std::error::Error;
use std::time::Instant;

use kiln_data::datasets::Imdb;

fn main() -> Result<(), Box<dyn Error>> {
    kiln_tensor::init_thread_pool(None)?;
    let start = Instant::now();
    let imdb = Imdb::load()?;
    let limit: usize = match std::env::args().nth(1) {
        Some(n) => n.parse()?,
        None => imdb.texts().len(),
    };
    let (texts, labels) = subsample(imdb.texts(), imdb.labels(), limit);
    println!("IMDB: {} reviews", texts.len());
    let settings = pipeline::Settings::default();
    let eval = pipeline::run(&texts, &labels, &settings)?;
    println!(
        "TF-IDF: {} features; {} train / {} test reviews",
        eval.n_features, eval.n_train, eval.n_test
    );
    for (epoch, loss) in eval.epoch_losses.iter().enumerate() {
        println!("epoch {}: train loss {loss:.4}", epoch + 1);
    }
    println!("test accuracy: {:.4}", eval.accuracy);
    println!("test ROC AUC:  {:.4}", eval.roc_auc);
    println!("{}", eval.report);
    println!("wall time: {:.1} s", start.elapsed().as_secs_f64());
    Ok(())
}

/// Every `len / limit`-th review, so a small run still sees both classes (the file lists all
/// negatives first).
fn subsample(texts: &[String], labels: &[i64], limit: usize) -> (Vec<String>, Vec<i64>) {
    let limit = limit.clamp(1, texts.len());
    (0..limit)
        .map(|k| k * texts.len() / limit)
        .map(|i| (texts[i].clone(), labels[i]))
        .unzip()
}
