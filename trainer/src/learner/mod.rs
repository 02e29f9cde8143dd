//! ktrain-style one-liners on top of the [`crate::Trainer`]: a [`Learner`] with
//! `fit_onecycle(lr, epochs)`, `fit(lr, epochs)` and `lr_find` (the learning-rate range
//! test), and a text-classification [`Predictor`] that saves a trained classifier with its
//! tokenizer, labels and preprocessing to a folder, loads it back, and gives labels and
//! probabilities for raw strings (ktrain's `get_learner`, `get_predictor`, `predictor.save`,
//! `load_predictor`, `predict`, `predict_proba`).

mod error;
mod fit;
mod lr_find;
mod predictor;

pub use error::LearnerError;
pub use fit::Learner;
pub use lr_find::{LrFindConfig, LrFindResult, steepest_descent_index};
pub use predictor::{
    FORMAT_VERSION, PREDICTOR_FILE, Predictor, PredictorConfig, PredictorError, TOKENIZER_FILE,
};
