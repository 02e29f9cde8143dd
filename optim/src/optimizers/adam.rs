//! Adam (`torch.optim.Adam`) and the update shared with AdamW.

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::buffer::{Buf, Real, dispatch_update};
use crate::core::{Optim, UpdateRule, decode_buf, decode_moment, decode_step};
use crate::error::OptimError;
use crate::kernel::{effective_grad, lerp, update_param, with_const_flags};
use crate::param_group::{GroupOptions, IntoParamGroups, in_range, non_negative};
use crate::state_dict::ParamState;

/// Adam/AdamW settings beyond `lr` and `weight_decay` (PyTorch's param-group keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdamOptions {
    /// Decay rates of the first and second moment averages (`betas`, default (0.9, 0.999)).
    pub betas: (f64, f64),
    /// Added to the denominator for stability (`eps`, default 1e-8).
    pub eps: f64,
    /// Use the running maximum of the second moment (`amsgrad`, default false; Reddi et al.,
    /// 2018).
    pub amsgrad: bool,
    /// Maximise the objective (`maximize`, default false).
    pub maximize: bool,
    /// Decay the weights directly (`p ← p·(1 − lr·wd)`) instead of adding `wd·p` to the
    /// gradient (`decoupled_weight_decay`: false for Adam, true for AdamW).
    pub decoupled_weight_decay: bool,
}

impl GroupOptions for AdamOptions {
    fn momentum(&self) -> Option<f64> {
        Some(self.betas.0)
    }
    fn set_momentum(&mut self, momentum: f64) {
        self.betas.0 = momentum;
    }
    fn validate(&self) -> Result<(), String> {
        non_negative("eps", self.eps)?;
        in_range("betas[0]", self.betas.0, 0.0..1.0)?;
        in_range("betas[1]", self.betas.1, 0.0..1.0)
    }
}

/// Construction settings of [`Adam`] and [`crate::AdamW`]. `Default` gives Adam's PyTorch
/// defaults (`lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0`).
#[derive(Clone, Debug, PartialEq)]
pub struct AdamConfig {
    /// Learning rate (`lr`).
    pub lr: f64,
    /// Weight decay (`weight_decay`).
    pub weight_decay: f64,
    /// The remaining settings.
    pub options: AdamOptions,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            weight_decay: 0.0,
            options: AdamOptions {
                betas: (0.9, 0.999),
                eps: 1e-8,
                amsgrad: false,
                maximize: false,
                decoupled_weight_decay: false,
            },
        }
    }
}

impl AdamConfig {
    /// Adam's defaults with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        AdamConfig {
            lr,
            ..Default::default()
        }
    }
    /// Sets `betas`.
    pub fn with_betas(mut self, beta1: f64, beta2: f64) -> Self {
        self.options.betas = (beta1, beta2);
        self
    }
    /// Sets `eps`.
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.options.eps = eps;
        self
    }
    /// Sets `weight_decay`.
    pub fn with_weight_decay(mut self, weight_decay: f64) -> Self {
        self.weight_decay = weight_decay;
        self
    }
    /// Sets `amsgrad`.
    pub fn with_amsgrad(mut self, amsgrad: bool) -> Self {
        self.options.amsgrad = amsgrad;
        self
    }
    /// Sets `maximize`.
    pub fn with_maximize(mut self, maximize: bool) -> Self {
        self.options.maximize = maximize;
        self
    }

    pub(crate) fn validate(&self, name: &str) {
        let (b1, b2) = self.options.betas;
        assert!(self.lr >= 0.0, "{name}: invalid learning rate {}", self.lr);
        assert!(
            self.options.eps >= 0.0,
            "{name}: invalid epsilon value {}",
            self.options.eps
        );
        assert!(
            (0.0..1.0).contains(&b1),
            "{name}: invalid beta parameter at index 0: {b1}"
        );
        assert!(
            (0.0..1.0).contains(&b2),
            "{name}: invalid beta parameter at index 1: {b2}"
        );
        assert!(
            self.weight_decay >= 0.0,
            "{name}: invalid weight_decay value {}",
            self.weight_decay
        );
    }
}

/// Per-parameter Adam state: step count and moment averages.
#[derive(Clone, Debug)]
pub struct AdamState {
    step: u64,
    exp_avg: Buf,
    exp_avg_sq: Buf,
    max_exp_avg_sq: Option<Buf>,
}

impl AdamState {
    /// Number of updates applied to this parameter (`state['step']`).
    pub fn step(&self) -> u64 {
        self.step
    }
}

/// The Adam update rule.
pub struct AdamRule;

/// Adam — `torch.optim.Adam` (Kingma & Ba, 2015, <https://arxiv.org/abs/1412.6980>).
///
/// `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + eps)`, with `g = ∇ + wd·p` (L2 penalty).
pub type Adam = Optim<AdamRule>;

impl Optim<AdamRule> {
    /// Adam over `params`. Panics, as PyTorch raises, on an invalid lr, eps, betas or
    /// weight decay.
    pub fn new(params: impl IntoParamGroups, config: AdamConfig) -> Self {
        config.validate("Adam");
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for AdamRule {
    const NAME: &'static str = "Adam";
    type Options = AdamOptions;
    type State = AdamState;

    fn update(p: &Var, lr: f64, wd: f64, o: &AdamOptions, state: &mut Option<AdamState>) {
        adam_update(p, lr, wd, o, state);
    }

    fn encode(state: &AdamState, dims: &[usize]) -> ParamState {
        encode_adam(state, dims)
    }

    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        options: &AdamOptions,
    ) -> Result<AdamState, OptimError> {
        decode_adam(saved, param, index, options)
    }
}

pub(crate) fn encode_adam(state: &AdamState, dims: &[usize]) -> ParamState {
    let mut out = ParamState {
        step: Some(state.step as f64),
        ..Default::default()
    };
    out.tensors
        .insert("exp_avg".into(), state.exp_avg.to_tensor(dims));
    out.tensors
        .insert("exp_avg_sq".into(), state.exp_avg_sq.to_tensor(dims));
    if let Some(m) = &state.max_exp_avg_sq {
        out.tensors
            .insert("max_exp_avg_sq".into(), m.to_tensor(dims));
    }
    out
}

pub(crate) fn decode_adam(
    saved: &ParamState,
    param: &Var,
    index: usize,
    options: &AdamOptions,
) -> Result<AdamState, OptimError> {
    Ok(AdamState {
        step: decode_step(saved, index)?,
        exp_avg: decode_buf(saved, "exp_avg", param, index)?,
        exp_avg_sq: decode_moment(saved, "exp_avg_sq", param, index)?,
        max_exp_avg_sq: if options.amsgrad {
            Some(decode_moment(saved, "max_exp_avg_sq", param, index)?)
        } else {
            None
        },
    })
}

/// One Adam/AdamW step of `param` (PyTorch's `_single_tensor_adam`), fused into one pass.
pub(crate) fn adam_update(
    param: &Var,
    lr: f64,
    wd: f64,
    o: &AdamOptions,
    state: &mut Option<AdamState>,
) {
    let state = state.get_or_insert_with(|| AdamState {
        step: 0,
        exp_avg: Buf::filled(&param.value(), 0.0),
        exp_avg_sq: Buf::filled(&param.value(), 0.0),
        max_exp_avg_sq: None,
    });
    if o.amsgrad && state.max_exp_avg_sq.is_none() {
        state.max_exp_avg_sq = Some(Buf::filled(&param.value(), 0.0));
    }
    dispatch_update!(param, adam_step(param, lr, wd, o, state))
}

fn adam_step<T: Real>(param: &Var, lr: f64, wd: f64, o: &AdamOptions, st: &mut AdamState) {
    st.step += 1;
    let (beta1, beta2) = o.betas;
    let step = st.step as f64;
    let bias_correction1 = 1.0 - beta1.powf(step);
    let bias_correction2 = 1.0 - beta2.powf(step);
    let step_size = T::constant(lr / bias_correction1);
    let bc2_sqrt = T::constant(bias_correction2.sqrt());
    let eps = T::constant(o.eps);
    let (w1, w1c, small1) = (
        T::constant(1.0 - beta1),
        T::constant(beta1),
        1.0 - beta1 < 0.5,
    );
    let (b2, one_minus_b2) = (T::constant(beta2), T::constant(1.0 - beta2));
    let decay = T::constant(1.0 - lr * wd);
    let wd_t = T::constant(wd);
    let (coupled, decoupled) = (
        wd != 0.0 && !o.decoupled_weight_decay,
        wd != 0.0 && o.decoupled_weight_decay,
    );
    let amsgrad = o.amsgrad;
    let k = AdamScalars {
        decay,
        wd: wd_t,
        w1,
        w1c,
        b2,
        one_minus_b2,
        bc2_sqrt,
        eps,
        neg_step_size: -step_size,
    };
    let bufs = vec![
        Some(&mut st.exp_avg),
        Some(&mut st.exp_avg_sq),
        st.max_exp_avg_sq.as_mut().filter(|_| amsgrad),
    ];
    update_param::<T, _>(
        param,
        bufs,
        #[inline(always)]
        |bufs, g| {
            let [p, m, v, vmax] = bufs else {
                unreachable!()
            };
            with_const_flags!(adam_elements::<T>[o.maximize, coupled, decoupled, small1](
                &k, p, m, v, vmax, g
            ))
        },
    );
}

/// Updates matching pieces of the parameter `p`, its moments `m`, `v` and (for amsgrad, else
/// empty) the running maximum `vmax` of `v`, from the gradient `g`. The step's flags are const
/// generics, so each combination compiles to its own branch-free loop, which LLVM vectorises.
#[inline(always)]
fn adam_elements<
    T: Real,
    const MAXIMIZE: bool,
    const COUPLED: bool,
    const DECOUPLED: bool,
    const SMALL: bool,
>(
    k: &AdamScalars<T>,
    p: &mut [T],
    m: &mut [T],
    v: &mut [T],
    vmax: &mut [T],
    g: &[T],
) {
    if vmax.is_empty() {
        for (((p, m), v), &g) in p.iter_mut().zip(m).zip(v).zip(g) {
            k.apply::<MAXIMIZE, COUPLED, DECOUPLED, SMALL>(p, m, v, g, |vi| vi);
        }
    } else {
        for ((((p, m), v), vmax), &g) in p.iter_mut().zip(m).zip(v).zip(vmax).zip(g) {
            let second = |vi: T| {
                let mx = vmax.maximum(vi);
                *vmax = mx;
                mx
            };
            k.apply::<MAXIMIZE, COUPLED, DECOUPLED, SMALL>(p, m, v, g, second);
        }
    }
}

/// The per-step scalars of an Adam update, in the compute type.
struct AdamScalars<T> {
    decay: T,
    wd: T,
    w1: T,
    w1c: T,
    b2: T,
    one_minus_b2: T,
    bc2_sqrt: T,
    eps: T,
    neg_step_size: T,
}

impl<T: Real> AdamScalars<T> {
    /// Updates one element; `second` maps the new `exp_avg_sq` to the value under the square
    /// root (itself, or the running maximum for amsgrad). `SMALL` is `1 − β₁ < 0.5`, which picks
    /// the form of [`lerp`].
    #[inline(always)]
    fn apply<
        const MAXIMIZE: bool,
        const COUPLED: bool,
        const DECOUPLED: bool,
        const SMALL: bool,
    >(
        &self,
        p: &mut T,
        m: &mut T,
        v: &mut T,
        g: T,
        second: impl FnOnce(T) -> T,
    ) {
        let grad = effective_grad::<T, MAXIMIZE, COUPLED>(g, *p, self.wd);
        let pi = if DECOUPLED { *p * self.decay } else { *p };
        let mi = lerp(*m, grad, self.w1, self.w1c, SMALL);
        let vi = *v * self.b2 + self.one_minus_b2 * grad * grad;
        *m = mi;
        *v = vi;
        let denom = second(vi).sqrt() / self.bc2_sqrt + self.eps;
        *p = pi + self.neg_step_size * (mi / denom);
    }
}
