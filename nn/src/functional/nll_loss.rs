//! Negative log-likelihood of class indices (`F.nll_loss`), the core of cross-entropy.

use kiln_autograd::Var;
use kiln_tensor::{DType, Tensor};

use super::reduction::Reduction;

/// Options of [`nll_loss`] and of the class-index form of
/// [`cross_entropy`](super::cross_entropy); defaults equal PyTorch's.
#[derive(Clone, Debug)]
pub struct NllLossOptions {
    /// Per-class rescaling weights, `[C]` (`weight`, default none).
    pub weight: Option<Tensor>,
    /// A target value that is skipped and does not count in the mean (`ignore_index`,
    /// default -100).
    pub ignore_index: i64,
    /// Reduction (`reduction`, default mean).
    pub reduction: Reduction,
}

impl Default for NllLossOptions {
    fn default() -> Self {
        NllLossOptions {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
        }
    }
}

impl NllLossOptions {
    /// Sets the per-class weights (`[C]`).
    pub fn with_weight(mut self, weight: Tensor) -> Self {
        self.weight = Some(weight);
        self
    }
    /// Sets the ignored target value.
    pub fn with_ignore_index(mut self, ignore_index: i64) -> Self {
        self.ignore_index = ignore_index;
        self
    }
    /// Sets the reduction.
    pub fn with_reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }
}

/// The class dim of a `[C]` (unbatched) or `[N, C, d1, …]` input.
pub(crate) fn class_dim(input: &Tensor) -> usize {
    usize::from(input.dim() >= 2)
}

/// Per-class weights shaped to broadcast against a `[N, C, d1, …]` (or `[C]`) input, in its dtype.
pub(crate) fn weight_view(weight: &Tensor, input: &Tensor, op: &str) -> Tensor {
    let c = input.dims()[class_dim(input)];
    assert!(
        weight.dims() == [c],
        "{op}: expected weight of shape [{c}] for {c} classes, got {}",
        weight.shape()
    );
    let mut shape = vec![1usize; input.dim()];
    shape[class_dim(input)] = c;
    weight.to_dtype(input.dtype()).reshape_to(shape)
}

/// What class-index losses need from a target: the targets with ignored entries replaced by
/// class 0 (safe to gather), and each entry's weight `w[target]` (0 where ignored), in the
/// input's dtype.
pub(crate) struct ClassTargets {
    /// Targets with ignored entries set to 0, shaped like the target, int64.
    pub safe: Tensor,
    /// `weight[target]` (1 without weights), 0 where ignored, shaped like the target.
    pub weights: Tensor,
    /// `target != ignore_index`, bool, shaped like the target.
    pub valid: Tensor,
}

impl ClassTargets {
    /// Checks `target` against `input` (`[C]` with a 0-d target, or `[N, C, d…]` with
    /// `[N, d…]`); panics naming the op on a shape mismatch or an out-of-range class.
    pub(crate) fn new(
        input: &Tensor,
        target: &Tensor,
        weight: Option<&Tensor>,
        ignore_index: i64,
        op: &str,
    ) -> ClassTargets {
        let cd = class_dim(input);
        let mut expected = input.dims().to_vec();
        expected.remove(cd);
        assert!(
            target.dims() == expected.as_slice(),
            "{op}: expected target of shape {expected:?} for input of shape {}, got {}",
            input.shape(),
            target.shape()
        );
        assert!(
            target.dtype() == DType::I64,
            "{op}: expected int64 class indices as target, got {}",
            target.dtype()
        );
        let c = input.dims()[cd] as i64;
        let valid = target.ne_scalar(ignore_index);
        let safe = Tensor::where_(&valid, target, &target.zeros_like());
        if let Some(bad) = safe.to_vec::<i64>().into_iter().find(|&t| t < 0 || t >= c) {
            panic!("{op}: Target {bad} is out of bounds (expected a class in 0..{c}).");
        }
        let valid_float = valid.to_dtype(input.dtype());
        let weights = match weight {
            Some(w) => {
                let w = weight_view(w, input, op).reshape(&[-1]);
                let picked = w.index_select(0, &safe.reshape(&[-1]));
                &picked.reshape_to(target.dims().to_vec()) * &valid_float
            }
            None => valid_float,
        };
        ClassTargets {
            safe,
            weights,
            valid,
        }
    }

    /// `Σ weight[target]` over non-ignored entries: the denominator of PyTorch's weighted mean.
    pub(crate) fn total_weight(&self) -> f64 {
        self.weights.to_dtype(DType::F64).sum().item::<f64>()
    }

    /// `Σ values·coeff / total_weight` (PyTorch's weighted mean) when the total weight is 0:
    /// every entry ignored, or only zero-weight classes counted. PyTorch's loss is then NaN
    /// (0/0), ignored entries get a zero gradient and counted ones `−w/0` (NaN for a zero
    /// weight). Dividing the masked sum by 0 would give the ignored entries `0·∞ = NaN`
    /// gradients instead, so each counted entry's factor `coeff/0` is formed first, ignored
    /// entries get the factor 0, and the NaN value comes from a constant that carries no
    /// gradient. `coeff` is a per-entry constant shaped like the target.
    pub(crate) fn mean_of_zero_total(&self, values: &Var, coeff: &Tensor) -> Var {
        let factor = Tensor::where_(
            &self.valid,
            &coeff.mul_scalar(f64::INFINITY),
            &coeff.zeros_like(),
        );
        values
            .mul(&Var::constant(factor))
            .sum()
            .add_scalar(f64::NAN)
    }
}

/// Negative log-likelihood loss of log-probabilities `input` (`[N, C]`, `[N, C, d1, …]` or
/// `[C]`) at int64 class indices `target` (`[N]`, `[N, d1, …]` or 0-d) (`F.nll_loss`):
/// `−w[t]·input[t]` per entry, 0 where `target == ignore_index`. `Mean` divides the sum by
/// `Σ w[t]` over non-ignored entries (PyTorch's weighted mean). When every entry is ignored
/// the mean is NaN and, as in PyTorch, every gradient is 0. Gradients flow to `input`.
pub fn nll_loss(input: &Var, target: &Var, options: &NllLossOptions) -> Var {
    let x = input.value();
    let t = ClassTargets::new(
        &x,
        &target.value(),
        options.weight.as_ref(),
        options.ignore_index,
        "nll_loss",
    );
    let cd = class_dim(&x);
    let picked = input.gather(cd, &t.safe.unsqueeze(cd)).squeeze_dim(cd);
    let losses = picked.mul(&Var::constant(t.weights.clone())).neg();
    match options.reduction {
        Reduction::None => losses,
        Reduction::Sum => losses.sum(),
        Reduction::Mean => match t.total_weight() {
            0.0 => t.mean_of_zero_total(&picked.neg(), &t.weights),
            total => losses.sum().mul_scalar(1.0 / total),
        },
    }
}
