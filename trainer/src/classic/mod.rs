//! Classic (non-neural) estimators with scikit-learn's names, defaults and numbers, for the
//! seeds' "features + classic model" approaches: [`LogisticRegression`].

mod lbfgs;
mod logistic_regression;

pub use logistic_regression::{LogisticRegression, LogisticRegressionError};
