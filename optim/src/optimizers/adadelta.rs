//! Adadelta (`torch.optim.Adadelta`).

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::buffer::{Buf, Real, dispatch_update};
use crate::core::{Optim, UpdateRule, decode_moment, decode_step};
use crate::error::OptimError;
use crate::kernel::{effective_grad, update_param, with_const_flags};
use crate::param_group::{GroupOptions, IntoParamGroups, in_range, non_negative};
use crate::state_dict::ParamState;

/// Adadelta settings beyond `lr` and `weight_decay` (PyTorch's param-group keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdadeltaOptions {
    /// Decay of the running averages (`rho`, default 0.9).
    pub rho: f64,
    /// Added inside the square roots (`eps`, default 1e-6).
    pub eps: f64,
    /// Maximise the objective (`maximize`).
    pub maximize: bool,
}

impl GroupOptions for AdadeltaOptions {
    fn validate(&self) -> Result<(), String> {
        in_range("rho", self.rho, 0.0..=1.0)?;
        non_negative("eps", self.eps)
    }
}

/// Construction settings of [`Adadelta`] with PyTorch's defaults (`lr=1.0, rho=0.9, eps=1e-6`).
#[derive(Clone, Debug, PartialEq)]
pub struct AdadeltaConfig {
    /// Scale of the update (`lr`, default 1.0).
    pub lr: f64,
    /// L2 penalty added to the gradient (`weight_decay`).
    pub weight_decay: f64,
    /// The remaining settings.
    pub options: AdadeltaOptions,
}

impl Default for AdadeltaConfig {
    fn default() -> Self {
        AdadeltaConfig {
            lr: 1.0,
            weight_decay: 0.0,
            options: AdadeltaOptions {
                rho: 0.9,
                eps: 1e-6,
                maximize: false,
            },
        }
    }
}

impl AdadeltaConfig {
    /// Defaults with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        AdadeltaConfig {
            lr,
            ..Default::default()
        }
    }
    /// Sets `rho`.
    pub fn with_rho(mut self, rho: f64) -> Self {
        self.options.rho = rho;
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
    /// Sets `maximize`.
    pub fn with_maximize(mut self, maximize: bool) -> Self {
        self.options.maximize = maximize;
        self
    }
}

/// Per-parameter Adadelta state.
#[derive(Clone, Debug)]
pub struct AdadeltaState {
    step: u64,
    square_avg: Buf,
    acc_delta: Buf,
}

/// The Adadelta update rule.
pub struct AdadeltaRule;

/// Adadelta — `torch.optim.Adadelta` (Zeiler, 2012, <https://arxiv.org/abs/1212.5701>).
///
/// `v ← ρv + (1−ρ)g²`, `Δ = √(u + eps)/√(v + eps) · g`, `u ← ρu + (1−ρ)Δ²`, `p ← p − lr·Δ`.
pub type Adadelta = Optim<AdadeltaRule>;

impl Optim<AdadeltaRule> {
    /// Adadelta over `params`. Panics, as PyTorch raises, on a negative lr, eps or weight decay
    /// or `rho` outside [0, 1].
    pub fn new(params: impl IntoParamGroups, config: AdadeltaConfig) -> Self {
        let o = &config.options;
        assert!(
            config.lr >= 0.0,
            "Adadelta: invalid learning rate {}",
            config.lr
        );
        assert!(
            (0.0..=1.0).contains(&o.rho),
            "Adadelta: invalid rho value {}",
            o.rho
        );
        assert!(o.eps >= 0.0, "Adadelta: invalid epsilon value {}", o.eps);
        assert!(
            config.weight_decay >= 0.0,
            "Adadelta: invalid weight_decay value {}",
            config.weight_decay
        );
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for AdadeltaRule {
    const NAME: &'static str = "Adadelta";
    type Options = AdadeltaOptions;
    type State = AdadeltaState;

    fn update(p: &Var, lr: f64, wd: f64, o: &AdadeltaOptions, state: &mut Option<AdadeltaState>) {
        let st = state.get_or_insert_with(|| AdadeltaState {
            step: 0,
            square_avg: Buf::filled(&p.value(), 0.0),
            acc_delta: Buf::filled(&p.value(), 0.0),
        });
        dispatch_update!(p, adadelta_step(p, lr, wd, o, st))
    }

    fn encode(state: &AdadeltaState, dims: &[usize]) -> ParamState {
        let mut out = ParamState {
            step: Some(state.step as f64),
            ..Default::default()
        };
        out.tensors
            .insert("square_avg".into(), state.square_avg.to_tensor(dims));
        out.tensors
            .insert("acc_delta".into(), state.acc_delta.to_tensor(dims));
        out
    }

    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        _o: &AdadeltaOptions,
    ) -> Result<AdadeltaState, OptimError> {
        Ok(AdadeltaState {
            step: decode_step(saved, index)?,
            square_avg: decode_moment(saved, "square_avg", param, index)?,
            acc_delta: decode_moment(saved, "acc_delta", param, index)?,
        })
    }
}

fn adadelta_step<T: Real>(
    param: &Var,
    lr: f64,
    wd: f64,
    o: &AdadeltaOptions,
    st: &mut AdadeltaState,
) {
    st.step += 1;
    let k = AdadeltaScalars {
        rho: T::constant(o.rho),
        one_minus_rho: T::constant(1.0 - o.rho),
        eps: T::constant(o.eps),
        neg_lr: T::constant(-lr),
        wd: T::constant(wd),
    };
    let (maximize, use_wd) = (o.maximize, wd != 0.0);
    let bufs = vec![Some(&mut st.square_avg), Some(&mut st.acc_delta)];
    update_param::<T, _>(
        param,
        bufs,
        #[inline(always)]
        |bufs, g| {
            let [p, sq, acc] = bufs else { unreachable!() };
            with_const_flags!(adadelta_elements::<T>[maximize, use_wd](&k, p, sq, acc, g))
        },
    );
}

/// The per-step constants of an Adadelta update, in the compute type.
struct AdadeltaScalars<T> {
    rho: T,
    one_minus_rho: T,
    eps: T,
    neg_lr: T,
    wd: T,
}

/// Updates matching pieces of the parameter `p`, its running squared gradient `sq` and squared
/// update `acc` from the gradient `g`; the flags are const generics so that each combination is
/// one branch-free loop.
#[inline(always)]
fn adadelta_elements<T: Real, const MAXIMIZE: bool, const WEIGHT_DECAY: bool>(
    k: &AdadeltaScalars<T>,
    p: &mut [T],
    sq: &mut [T],
    acc: &mut [T],
    g: &[T],
) {
    for (((p, sq), acc), &g) in p.iter_mut().zip(sq.iter_mut()).zip(acc.iter_mut()).zip(g) {
        let grad = effective_grad::<T, MAXIMIZE, WEIGHT_DECAY>(g, *p, k.wd);
        *sq = *sq * k.rho + k.one_minus_rho * grad * grad;
        let std = (*sq + k.eps).sqrt();
        let delta = (*acc + k.eps).sqrt() / std * grad;
        *acc = *acc * k.rho + k.one_minus_rho * delta * delta;
        *p = *p + k.neg_lr * delta;
    }
}
