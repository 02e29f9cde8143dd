//! Cross-entropy of logits against class indices or class probabilities (`F.cross_entropy`).

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use super::nll_loss::{ClassTargets, NllLossOptions, class_dim, nll_loss, weight_view};
use super::reduction::Reduction;

/// Options of [`cross_entropy`]; defaults equal PyTorch's (`weight=None, ignore_index=-100,
/// reduction='mean', label_smoothing=0.0`).
#[derive(Clone, Debug)]
pub struct CrossEntropyOptions {
    /// Per-class rescaling weights, `[C]` (`weight`).
    pub weight: Option<Tensor>,
    /// A class-index target value that is skipped (`ignore_index`, default -100); unused with
    /// probability targets.
    pub ignore_index: i64,
    /// Reduction (`reduction`, default mean).
    pub reduction: Reduction,
    /// Mixes the target with the uniform distribution: `(1 − ε)·target + ε/C`
    /// (`label_smoothing`, in `[0, 1]`, default 0).
    pub label_smoothing: f64,
}

impl Default for CrossEntropyOptions {
    fn default() -> Self {
        CrossEntropyOptions {
            weight: None,
            ignore_index: -100,
            reduction: Reduction::Mean,
            label_smoothing: 0.0,
        }
    }
}

impl CrossEntropyOptions {
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
    /// Sets the label smoothing `ε` (in `[0, 1]`).
    pub fn with_label_smoothing(mut self, label_smoothing: f64) -> Self {
        self.label_smoothing = label_smoothing;
        self
    }
}

/// Cross-entropy between logits `input` (`[N, C]`, `[N, C, d1, …]` or unbatched `[C]`) and
/// `target` (`F.cross_entropy`), which is either
///
/// - int64 class indices shaped like `input` without its class dim: `−w[t]·log_softmax(x)[t]`,
///   with `ignore_index` entries skipped and `Mean` dividing by `Σ w[t]` (PyTorch's weighted
///   mean; when every entry is ignored the loss is NaN and every gradient 0, as PyTorch's);
///   label smoothing adds `ε/C · Σ_c −w[c]·log_softmax(x)[c]` reduced the same way; or
/// - float class probabilities shaped like `input`: `−Σ_c w[c]·p[c]·log_softmax(x)[c]`, `Mean`
///   dividing by the number of rows `numel / C`; gradients also flow to `target`.
///
/// Panics naming shapes when target and input do not fit, or on an out-of-range class.
pub fn cross_entropy(input: &Var, target: &Var, options: &CrossEntropyOptions) -> Var {
    let eps = options.label_smoothing;
    assert!(
        (0.0..=1.0).contains(&eps),
        "cross_entropy: label_smoothing must be between 0.0 and 1.0, got {eps}"
    );
    let x = input.value();
    assert!(
        x.dim() >= 1 && x.dtype().is_float(),
        "cross_entropy: expected float logits with a class dim, got {} of shape {}",
        x.dtype(),
        x.shape()
    );
    let cd = class_dim(&x);
    let log_probs = input.log_softmax(cd);
    if target.value().dtype().is_float() {
        return probability_targets(&log_probs, target, options);
    }
    let nll = nll_loss(
        &log_probs,
        target,
        &NllLossOptions {
            weight: options.weight.clone(),
            ignore_index: options.ignore_index,
            reduction: options.reduction,
        },
    );
    if eps == 0.0 {
        return nll;
    }
    let t = ClassTargets::new(
        &x,
        &target.value(),
        options.weight.as_ref(),
        options.ignore_index,
        "cross_entropy",
    );
    let weighted = match &options.weight {
        Some(w) => log_probs.mul(&Var::constant(weight_view(w, &x, "cross_entropy"))),
        None => log_probs,
    };
    let valid = t.valid.to_dtype(x.dtype());
    let per_entry = weighted.sum_dim(&[cd as i64], false).neg();
    let smooth = per_entry.mul(&Var::constant(valid.clone()));
    let smooth = match options.reduction {
        Reduction::None => smooth,
        Reduction::Sum => smooth.sum(),
        // Every entry ignored (or only zero-weight ones): NaN, zero gradients where ignored.
        Reduction::Mean => match t.total_weight() {
            0.0 => t.mean_of_zero_total(&per_entry, &valid),
            total => smooth.sum().mul_scalar(1.0 / total),
        },
    };
    let classes = x.dims()[cd] as f64;
    nll.mul_scalar(1.0 - eps)
        .add(&smooth.mul_scalar(eps / classes))
}

/// The probability-target form of [`cross_entropy`], given the log-softmax of the logits.
fn probability_targets(log_probs: &Var, target: &Var, options: &CrossEntropyOptions) -> Var {
    let x = log_probs.value();
    let t = target.value();
    assert!(
        t.dims() == x.dims() && t.dtype() == x.dtype(),
        "cross_entropy: probability targets must have the input's shape and dtype, got {} {} \
         for input {} {}",
        t.dtype(),
        t.shape(),
        x.dtype(),
        x.shape()
    );
    let cd = class_dim(&x);
    let classes = x.dims()[cd];
    let eps = options.label_smoothing;
    let target = if eps > 0.0 {
        target
            .mul_scalar(1.0 - eps)
            .add_scalar(eps / classes as f64)
    } else {
        target.clone()
    };
    let mut terms = log_probs.mul(&target);
    if let Some(w) = &options.weight {
        terms = terms.mul(&Var::constant(weight_view(w, &x, "cross_entropy")));
    }
    match options.reduction {
        Reduction::None => terms.sum_dim(&[cd as i64], false).neg(),
        Reduction::Sum => terms.sum().neg(),
        Reduction::Mean => {
            let rows = (x.numel() / classes.max(1)) as f64;
            terms.sum().mul_scalar(-1.0 / rows)
        }
    }
}
