//! Stochastic gradient descent with momentum (`torch.optim.SGD`).

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::buffer::{Buf, Real, dispatch_update};
use crate::core::{Optim, UpdateRule, decode_buf};
use crate::error::OptimError;
use crate::kernel::{effective_grad, update_param, with_const_flags};
use crate::param_group::{GroupOptions, IntoParamGroups, non_negative};
use crate::state_dict::ParamState;

/// SGD settings beyond `lr` and `weight_decay` (the keys of PyTorch's SGD param groups).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgdOptions {
    /// Momentum factor (`momentum`, default 0).
    pub momentum: f64,
    /// Dampening of the momentum (`dampening`, default 0).
    pub dampening: f64,
    /// Nesterov momentum (`nesterov`, default false; needs momentum > 0 and dampening 0).
    pub nesterov: bool,
    /// Maximise the objective instead of minimising (`maximize`, default false).
    pub maximize: bool,
}

impl GroupOptions for SgdOptions {
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn set_momentum(&mut self, momentum: f64) {
        self.momentum = momentum;
    }
    fn validate(&self) -> Result<(), String> {
        non_negative("momentum", self.momentum)?;
        if !self.dampening.is_finite() {
            return Err(format!("`dampening` is {}", self.dampening));
        }
        if self.nesterov && !(self.momentum > 0.0 && self.dampening == 0.0) {
            return Err("Nesterov momentum requires a momentum and zero dampening".into());
        }
        Ok(())
    }
}

/// Construction settings of [`Sgd`], with PyTorch's defaults (`lr=1e-3`, everything else 0 /
/// false).
#[derive(Clone, Debug, PartialEq)]
pub struct SgdConfig {
    /// Learning rate (`lr`).
    pub lr: f64,
    /// L2 penalty added to the gradient (`weight_decay`).
    pub weight_decay: f64,
    /// The remaining settings.
    pub options: SgdOptions,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig {
            lr: 1e-3,
            weight_decay: 0.0,
            options: SgdOptions {
                momentum: 0.0,
                dampening: 0.0,
                nesterov: false,
                maximize: false,
            },
        }
    }
}

impl SgdConfig {
    /// Default settings with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        SgdConfig {
            lr,
            ..Default::default()
        }
    }
    /// Sets `momentum`.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.options.momentum = momentum;
        self
    }
    /// Sets `dampening`.
    pub fn with_dampening(mut self, dampening: f64) -> Self {
        self.options.dampening = dampening;
        self
    }
    /// Sets `nesterov`.
    pub fn with_nesterov(mut self, nesterov: bool) -> Self {
        self.options.nesterov = nesterov;
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

/// Per-parameter SGD state: the momentum buffer, created on the first step with momentum.
#[derive(Clone, Debug)]
pub struct SgdState {
    momentum_buffer: Option<Buf>,
}

/// The SGD update rule.
pub struct SgdRule;

/// Stochastic gradient descent, optionally with (Nesterov) momentum — `torch.optim.SGD`.
///
/// With `g = ∇ + weight_decay·p` (negated when maximising): `b = g` on the first step, then
/// `b = momentum·b + (1 − dampening)·g`; the step direction is `g + momentum·b` (Nesterov) or
/// `b`; `p ← p − lr·direction`. See Sutskever et al., 2013.
pub type Sgd = Optim<SgdRule>;

impl Optim<SgdRule> {
    /// SGD over `params` (a list of parameters or of [`crate::GroupSpec`]s). Panics, as
    /// PyTorch raises, for a negative lr/momentum/weight decay or Nesterov without momentum or
    /// with dampening.
    pub fn new(params: impl IntoParamGroups, config: SgdConfig) -> Self {
        let o = &config.options;
        assert!(config.lr >= 0.0, "SGD: invalid learning rate {}", config.lr);
        assert!(
            o.momentum >= 0.0,
            "SGD: invalid momentum value {}",
            o.momentum
        );
        assert!(
            config.weight_decay >= 0.0,
            "SGD: invalid weight_decay value {}",
            config.weight_decay
        );
        assert!(
            !o.nesterov || (o.momentum > 0.0 && o.dampening == 0.0),
            "SGD: Nesterov momentum requires a momentum and zero dampening"
        );
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for SgdRule {
    const NAME: &'static str = "SGD";
    type Options = SgdOptions;
    type State = SgdState;

    fn update(
        param: &Var,
        lr: f64,
        weight_decay: f64,
        options: &SgdOptions,
        state: &mut Option<SgdState>,
    ) {
        let state = state.get_or_insert(SgdState {
            momentum_buffer: None,
        });
        dispatch_update!(param, sgd_step(param, lr, weight_decay, options, state))
    }

    fn encode(state: &SgdState, dims: &[usize]) -> ParamState {
        let mut out = ParamState::default();
        if let Some(b) = &state.momentum_buffer {
            out.tensors
                .insert("momentum_buffer".to_string(), b.to_tensor(dims));
        }
        out
    }

    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        _options: &SgdOptions,
    ) -> Result<SgdState, OptimError> {
        let momentum_buffer = if saved.tensors.contains_key("momentum_buffer") {
            Some(decode_buf(saved, "momentum_buffer", param, index)?)
        } else {
            None
        };
        Ok(SgdState { momentum_buffer })
    }
}

fn sgd_step<T: Real>(param: &Var, lr: f64, wd: f64, o: &SgdOptions, state: &mut SgdState) {
    let k = SgdScalars {
        lr: T::constant(lr),
        wd: T::constant(wd),
        momentum: T::constant(o.momentum),
        one_minus_dampening: T::constant(1.0 - o.dampening),
    };
    let (maximize, use_wd) = (o.maximize, wd != 0.0);
    if o.momentum == 0.0 {
        update_param::<T, _>(
            param,
            vec![],
            #[inline(always)]
            |bufs, g| {
                let [p] = bufs else { unreachable!() };
                with_const_flags!(sgd_elements::<T>[maximize, use_wd](&k, p, g))
            },
        );
    } else {
        let (first, nesterov) = (state.momentum_buffer.is_none(), o.nesterov);
        let buf = state
            .momentum_buffer
            .get_or_insert_with(|| Buf::filled(&param.value(), 0.0));
        update_param::<T, _>(
            param,
            vec![Some(buf)],
            #[inline(always)]
            |bufs, g| {
                let [p, b] = bufs else { unreachable!() };
                with_const_flags!(sgd_momentum_elements::<T>[maximize, use_wd, first, nesterov](
                    &k, p, b, g
                ))
            },
        );
    }
}

/// The per-step constants of an SGD update, in the compute type.
struct SgdScalars<T> {
    lr: T,
    wd: T,
    momentum: T,
    one_minus_dampening: T,
}

/// Plain SGD over matching pieces of the parameter `p` and the gradient `g`; the flags are
/// const generics so that each combination is one branch-free loop.
#[inline(always)]
fn sgd_elements<T: Real, const MAXIMIZE: bool, const WEIGHT_DECAY: bool>(
    k: &SgdScalars<T>,
    p: &mut [T],
    g: &[T],
) {
    for (p, &g) in p.iter_mut().zip(g) {
        *p = *p - k.lr * effective_grad::<T, MAXIMIZE, WEIGHT_DECAY>(g, *p, k.wd);
    }
}

/// SGD with momentum over matching pieces of the parameter `p`, its momentum buffer `b` and the
/// gradient `g`. `FIRST` marks the first step, where the buffer starts as the gradient itself.
#[inline(always)]
fn sgd_momentum_elements<
    T: Real,
    const MAXIMIZE: bool,
    const WEIGHT_DECAY: bool,
    const FIRST: bool,
    const NESTEROV: bool,
>(
    k: &SgdScalars<T>,
    p: &mut [T],
    b: &mut [T],
    g: &[T],
) {
    for ((p, b), &g) in p.iter_mut().zip(b.iter_mut()).zip(g) {
        let g = effective_grad::<T, MAXIMIZE, WEIGHT_DECAY>(g, *p, k.wd);
        *b = if FIRST {
            g
        } else {
            k.momentum * *b + k.one_minus_dampening * g
        };
        let d = if NESTEROV { g + k.momentum * *b } else { *b };
        *p = *p - k.lr * d;
    }
}
