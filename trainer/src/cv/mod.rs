//! Stratified k-fold cross-validation over a model factory, as the seeds' Approach 4 does by
//! hand: scikit-learn's `StratifiedKFold` assigns every row to one held-out fold; per fold a
//! fresh model from the factory is trained by a [`crate::Trainer`] on the other folds (its
//! checkpoints and logs in `<output_dir>/fold-<i>`), evaluated on the held-out fold, and its
//! predictions for those rows go into the out-of-fold table (`oof_df` in the seeds). The
//! per-fold metrics are summarised as mean ± standard deviation.
//!
//! ```no_run
//! # use kiln_trainer::cv::CrossValidation;
//! # use kiln_trainer::{StepOutput, TrainingArguments};
//! # use kiln_data::{DefaultCollate, TensorDataset};
//! # use kiln_nn::{Forward, Linear};
//! # use kiln_autograd::Var;
//! # use kiln_tensor::Tensor;
//! # fn run(data: TensorDataset, labels: Vec<i64>) -> Result<(), Box<dyn std::error::Error>> {
//! let cv = CrossValidation::new(
//!     4,
//!     TrainingArguments::new("runs/cv"),
//!     DefaultCollate,
//!     |m: &Linear, b: &Vec<Tensor>| {
//!         let logits = m.forward(&Var::constant(b[0].clone()));
//!         let loss = kiln_nn::loss::CrossEntropyLoss::new()
//!             .forward(&logits, &Var::constant(b[1].clone()));
//!         StepOutput::with_predictions(loss, logits.value(), b[1].clone())
//!     },
//! )
//! .with_shuffle(123);
//! let out = cv.run(|_fold| Linear::new(8, 2, true), data, &labels)?;
//! println!("{}", out.summary);
//! # Ok(()) }
//! ```

mod error;
mod output;
mod runner;
mod summary;

pub use error::CvError;
pub use output::{CvOutput, FoldResult};
pub use runner::CrossValidation;
pub use summary::{CvSummary, SummaryRow};
