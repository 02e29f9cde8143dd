//! `sklearn.linear_model.LogisticRegression` with its defaults (L2 penalty, `C=1.0`,
//! `fit_intercept=True`, `tol=1e-4`, `max_iter=100`, `solver="lbfgs"`) on dense features.

use std::fmt;

use kiln_tensor::{DType, Tensor};

use super::lbfgs::{LbfgsOptions, minimize};

/// Why [`LogisticRegression::fit`] rejected its data (scikit-learn raises `ValueError` in the
/// same cases).
#[derive(Debug, Clone, PartialEq)]
pub enum LogisticRegressionError {
    /// `x` is not a 2-D `[n_samples, n_features]` tensor.
    NotAMatrix {
        /// The shape given.
        dims: Vec<usize>,
    },
    /// `x` has no rows or no columns.
    Empty {
        /// The shape given.
        dims: Vec<usize>,
    },
    /// `y` does not have one label per row of `x`.
    LengthMismatch {
        /// Rows of `x`.
        rows: usize,
        /// Length of `y`.
        labels: usize,
    },
    /// Only one class occurs in `y`.
    OneClass {
        /// That class.
        class: i64,
    },
    /// `x` holds a NaN or an infinity.
    NonFinite {
        /// Row of the first such value.
        row: usize,
        /// Its column.
        col: usize,
    },
}

impl fmt::Display for LogisticRegressionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAMatrix { dims } => {
                write!(
                    f,
                    "LogisticRegression.fit: expected x of shape [n_samples, n_features], got {dims:?}"
                )
            }
            Self::Empty { dims } => {
                write!(
                    f,
                    "LogisticRegression.fit: x of shape {dims:?} has no samples or no features"
                )
            }
            Self::LengthMismatch { rows, labels } => write!(
                f,
                "LogisticRegression.fit: x has {rows} rows but y has {labels} labels"
            ),
            Self::OneClass { class } => write!(
                f,
                "LogisticRegression.fit: needs samples of at least 2 classes, but y contains only class {class}"
            ),
            Self::NonFinite { row, col } => write!(
                f,
                "LogisticRegression.fit: x[{row}, {col}] is NaN or infinite"
            ),
        }
    }
}

impl std::error::Error for LogisticRegressionError {}

/// The fitted parameters.
#[derive(Debug, Clone)]
struct Fitted {
    /// Sorted distinct labels (`classes_`).
    classes: Vec<i64>,
    /// `[rows, n_features]` row-major: 1 row for two classes, one per class otherwise.
    coef: Vec<f64>,
    /// `[rows]` (zeros without `fit_intercept`).
    intercept: Vec<f64>,
    n_features: usize,
    n_iter: usize,
    converged: bool,
}

impl Fitted {
    fn rows(&self) -> usize {
        self.intercept.len()
    }
}

/// Logistic regression as `sklearn.linear_model.LogisticRegression` fits it with the
/// `lbfgs` solver: it minimises
///
/// `C · Σᵢ log-loss(yᵢ, xᵢ·w + b) + ½‖w‖²`
///
/// (the intercept `b` is not penalised) by L-BFGS in f64, stopping as SciPy's `L-BFGS-B`
/// does for scikit-learn: every component of the gradient of the objective divided by
/// `n_samples` at most `tol`, a relative decrease of at most `64·ε`, or `max_iter`
/// iterations. Two classes give one coefficient row (the second class is the positive one);
/// three or more a multinomial (softmax) model with a row per class.
///
/// Labels are any `i64` values; [`LogisticRegression::classes`] lists them sorted.
///
/// ```
/// use kiln_tensor::Tensor;
/// use kiln_trainer::classic::LogisticRegression;
///
/// let x = Tensor::from_vec(vec![0.0f32, 1.0, 2.0, 3.0], [4, 1]);
/// let mut model = LogisticRegression::new();
/// model.fit(&x, &[0, 0, 1, 1]).unwrap();
/// assert_eq!(model.predict(&x), [0, 0, 1, 1]);
/// let p = model.predict_proba(&x).to_vec::<f32>(); // [4, 2]: P(class 0), P(class 1)
/// assert!(p[0] > 0.5 && p[7] > 0.5);
/// assert!(model.converged());
/// ```
#[derive(Debug, Clone)]
pub struct LogisticRegression {
    c: f64,
    fit_intercept: bool,
    max_iter: usize,
    tol: f64,
    fitted: Option<Fitted>,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        LogisticRegression::new()
    }
}

impl LogisticRegression {
    /// scikit-learn's defaults: `C=1.0, fit_intercept=True, tol=1e-4, max_iter=100`.
    pub fn new() -> Self {
        LogisticRegression {
            c: 1.0,
            fit_intercept: true,
            max_iter: 100,
            tol: 1e-4,
            fitted: None,
        }
    }

    /// Inverse of the L2 regularisation strength (`C`); `f64::INFINITY` fits without a
    /// penalty (scikit-learn ≥ 1.8's spelling of `penalty=None`).
    ///
    /// # Panics
    /// Unless `c > 0` (scikit-learn raises `InvalidParameterError`).
    pub fn with_c(mut self, c: f64) -> Self {
        assert!(c > 0.0, "LogisticRegression: C must be > 0, got {c}");
        self.c = c;
        self
    }

    /// Whether to fit an (unpenalised) intercept (`fit_intercept`).
    pub fn with_fit_intercept(mut self, fit_intercept: bool) -> Self {
        self.fit_intercept = fit_intercept;
        self
    }

    /// Most L-BFGS iterations (`max_iter`).
    pub fn with_max_iter(mut self, max_iter: usize) -> Self {
        self.max_iter = max_iter;
        self
    }

    /// Gradient tolerance of the stopping test (`tol`).
    ///
    /// # Panics
    /// When `tol` is negative or NaN.
    pub fn with_tol(mut self, tol: f64) -> Self {
        assert!(
            tol >= 0.0,
            "LogisticRegression: tol must be >= 0, got {tol}"
        );
        self.tol = tol;
        self
    }

    /// `C`.
    pub fn c(&self) -> f64 {
        self.c
    }

    /// Whether an intercept is fitted.
    pub fn fit_intercept(&self) -> bool {
        self.fit_intercept
    }

    /// The iteration limit.
    pub fn max_iter(&self) -> usize {
        self.max_iter
    }

    /// The gradient tolerance.
    pub fn tol(&self) -> f64 {
        self.tol
    }

    /// Fits the model to `x` (`[n_samples, n_features]`, any dtype, on any device; the math
    /// runs in f64 on the CPU) and the labels `y`, replacing an earlier fit.
    ///
    /// # Errors
    /// When `x` is not a non-empty matrix, holds NaN or infinity, `y` has another length,
    /// or `y` has a single class.
    pub fn fit(&mut self, x: &Tensor, y: &[i64]) -> Result<&mut Self, LogisticRegressionError> {
        let (n, d) = match x.dims() {
            &[n, d] => (n, d),
            dims => {
                return Err(LogisticRegressionError::NotAMatrix {
                    dims: dims.to_vec(),
                });
            }
        };
        if n == 0 || d == 0 {
            return Err(LogisticRegressionError::Empty {
                dims: x.dims().to_vec(),
            });
        }
        if y.len() != n {
            return Err(LogisticRegressionError::LengthMismatch {
                rows: n,
                labels: y.len(),
            });
        }
        let data = x.to_vec::<f64>();
        if let Some(i) = data.iter().position(|v| !v.is_finite()) {
            return Err(LogisticRegressionError::NonFinite {
                row: i / d,
                col: i % d,
            });
        }
        let mut classes = y.to_vec();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() < 2 {
            return Err(LogisticRegressionError::OneClass { class: classes[0] });
        }
        let targets: Vec<usize> = y
            .iter()
            .map(|l| classes.binary_search(l).expect("every label is a class"))
            .collect();
        let rows = if classes.len() == 2 { 1 } else { classes.len() };
        let problem = Problem {
            x: &data,
            y: &targets,
            n,
            d,
            rows,
            fit_intercept: self.fit_intercept,
            l2: if self.c.is_finite() {
                1.0 / (self.c * n as f64)
            } else {
                0.0
            },
        };
        let options = LbfgsOptions {
            max_iter: self.max_iter,
            gtol: self.tol,
            ftol: 64.0 * f64::EPSILON,
            memory: 10,
            max_line_search: 50,
        };
        let stride = problem.stride();
        let result = minimize(
            |w, g| problem.loss_gradient(w, g),
            vec![0.0; rows * stride],
            &options,
        );
        let mut coef = Vec::with_capacity(rows * d);
        let mut intercept = Vec::with_capacity(rows);
        for r in 0..rows {
            let block = &result.x[r * stride..(r + 1) * stride];
            coef.extend_from_slice(&block[..d]);
            intercept.push(if self.fit_intercept { block[d] } else { 0.0 });
        }
        self.fitted = Some(Fitted {
            classes,
            coef,
            intercept,
            n_features: d,
            n_iter: result.n_iter,
            converged: result.converged,
        });
        Ok(self)
    }

    /// True once [`LogisticRegression::fit`] has succeeded.
    pub fn is_fitted(&self) -> bool {
        self.fitted.is_some()
    }

    fn fitted(&self, op: &str) -> &Fitted {
        self.fitted
            .as_ref()
            .unwrap_or_else(|| panic!("LogisticRegression.{op}: call fit first"))
    }

    /// The sorted distinct training labels (`classes_`).
    ///
    /// # Panics
    /// Before `fit` (as every accessor of fitted state).
    pub fn classes(&self) -> &[i64] {
        &self.fitted("classes").classes
    }

    /// The coefficients (`coef_`), f64 `[1, n_features]` for two classes, else
    /// `[n_classes, n_features]`.
    pub fn coef(&self) -> Tensor {
        let f = self.fitted("coef");
        Tensor::from_vec(f.coef.clone(), [f.rows(), f.n_features])
    }

    /// The intercepts (`intercept_`), f64 `[1]` or `[n_classes]`; zeros without
    /// `fit_intercept`.
    pub fn intercept(&self) -> Tensor {
        let f = self.fitted("intercept");
        Tensor::from_vec(f.intercept.clone(), [f.rows()])
    }

    /// Iterations the solver ran (`n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.fitted("n_iter").n_iter
    }

    /// False when the solver stopped at `max_iter` or could not progress (scikit-learn then
    /// warns `ConvergenceWarning`).
    pub fn converged(&self) -> bool {
        self.fitted("converged").converged
    }

    /// Number of features seen by `fit` (`n_features_in_`).
    pub fn n_features_in(&self) -> usize {
        self.fitted("n_features_in").n_features
    }

    /// `x·coefᵀ + intercept` as f64, `[n, rows]` row-major.
    fn scores(&self, x: &Tensor, op: &str) -> (Vec<f64>, usize) {
        let f = self.fitted(op);
        assert!(
            x.dim() == 2 && x.dims()[1] == f.n_features,
            "LogisticRegression.{op}: expected x of shape [n, {}], got {:?}",
            f.n_features,
            x.dims()
        );
        let n = x.dims()[0];
        let data = x.to_vec::<f64>();
        let rows = f.rows();
        let mut out = Vec::with_capacity(n * rows);
        for xi in data.chunks_exact(f.n_features) {
            for r in 0..rows {
                let w = &f.coef[r * f.n_features..(r + 1) * f.n_features];
                out.push(dot(xi, w) + f.intercept[r]);
            }
        }
        (out, n)
    }

    /// The decision values (`decision_function`): `[n]` for two classes (positive means
    /// the second class), else `[n, n_classes]`. f32 for f32 `x`, f64 otherwise.
    ///
    /// # Panics
    /// Before `fit`, or when `x` is not `[n, n_features_in]`.
    pub fn decision_function(&self, x: &Tensor) -> Tensor {
        let (scores, n) = self.scores(x, "decision_function");
        let rows = self.fitted("decision_function").rows();
        let t = if rows == 1 {
            Tensor::from_vec(scores, [n])
        } else {
            Tensor::from_vec(scores, [n, rows])
        };
        t.to_dtype(output_dtype(x))
    }

    /// Class probabilities (`predict_proba`), `[n, n_classes]` in the order of
    /// [`LogisticRegression::classes`]: the logistic of the decision value for two classes,
    /// its softmax otherwise. f32 for f32 `x`, f64 otherwise.
    ///
    /// # Panics
    /// Before `fit`, or when `x` is not `[n, n_features_in]`.
    pub fn predict_proba(&self, x: &Tensor) -> Tensor {
        let (scores, n) = self.scores(x, "predict_proba");
        let k = self.fitted("predict_proba").classes.len();
        let mut p = Vec::with_capacity(n * k);
        if k == 2 {
            for s in scores {
                let pos = sigmoid(s);
                p.extend([1.0 - pos, pos]);
            }
        } else {
            for z in scores.chunks_exact(k) {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = z.iter().map(|v| (v - m).exp()).collect();
                let s: f64 = e.iter().sum();
                p.extend(e.iter().map(|v| v / s));
            }
        }
        Tensor::from_vec(p, [n, k]).to_dtype(output_dtype(x))
    }

    /// The most probable class of each row (`predict`).
    ///
    /// # Panics
    /// Before `fit`, or when `x` is not `[n, n_features_in]`.
    pub fn predict(&self, x: &Tensor) -> Vec<i64> {
        let (scores, _) = self.scores(x, "predict");
        let f = self.fitted("predict");
        if f.classes.len() == 2 {
            return scores
                .iter()
                .map(|&s| f.classes[usize::from(s > 0.0)])
                .collect();
        }
        scores
            .chunks_exact(f.classes.len())
            .map(|z| {
                // First maximum, as numpy's argmax.
                let best = z
                    .iter()
                    .enumerate()
                    .fold(0, |b, (i, v)| if *v > z[b] { i } else { b });
                f.classes[best]
            })
            .collect()
    }
}

/// f32 in, f32 out (scikit-learn keeps float32); everything else gives f64.
fn output_dtype(x: &Tensor) -> DType {
    if x.dtype() == DType::F32 {
        DType::F32
    } else {
        DType::F64
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `log(1 + e^z)` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// The objective scikit-learn's `LinearModelLoss` minimises:
/// `mean(log-loss) + ½·l2·‖W‖²` with `l2 = 1 / (C·n)`.
struct Problem<'a> {
    /// `[n, d]` row-major.
    x: &'a [f64],
    /// Class index of each row.
    y: &'a [usize],
    n: usize,
    d: usize,
    /// 1 (binary) or the number of classes (multinomial).
    rows: usize,
    fit_intercept: bool,
    l2: f64,
}

impl Problem<'_> {
    /// Parameters per row: the weights, then the intercept when fitted.
    fn stride(&self) -> usize {
        self.d + usize::from(self.fit_intercept)
    }

    fn loss_gradient(&self, w: &[f64], g: &mut [f64]) -> f64 {
        let (d, stride) = (self.d, self.stride());
        g.fill(0.0);
        let mut loss = 0.0;
        let mut z = vec![0.0; self.rows];
        for (xi, &yi) in self.x.chunks_exact(d).zip(self.y) {
            for (r, zr) in z.iter_mut().enumerate() {
                let block = &w[r * stride..(r + 1) * stride];
                *zr = dot(xi, &block[..d]) + if self.fit_intercept { block[d] } else { 0.0 };
            }
            if self.rows == 1 {
                // Binary: y ∈ {0, 1}, residual σ(z) − y.
                let target = yi as f64;
                loss += softplus(z[0]) - target * z[0];
                z[0] = sigmoid(z[0]) - target;
            } else {
                let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let true_logit = z[yi];
                let mut sum = 0.0;
                for zr in z.iter_mut() {
                    *zr = (*zr - m).exp();
                    sum += *zr;
                }
                loss += m + sum.ln() - true_logit;
                for zr in z.iter_mut() {
                    *zr /= sum;
                }
                z[yi] -= 1.0;
            }
            for (r, &residual) in z.iter().enumerate() {
                let block = &mut g[r * stride..(r + 1) * stride];
                for (gj, xj) in block[..d].iter_mut().zip(xi) {
                    *gj += residual * xj;
                }
                if self.fit_intercept {
                    block[d] += residual;
                }
            }
        }
        let inv_n = 1.0 / self.n as f64;
        loss *= inv_n;
        g.iter_mut().for_each(|v| *v *= inv_n);
        let mut penalty = 0.0;
        for r in 0..self.rows {
            for j in 0..d {
                let wj = w[r * stride + j];
                penalty += wj * wj;
                g[r * stride + j] += self.l2 * wj;
            }
        }
        loss + 0.5 * self.l2 * penalty
    }
}
