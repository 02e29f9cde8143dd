//! Adagrad (`torch.optim.Adagrad`).

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::buffer::{Buf, Real, dispatch_update};
use crate::core::{Optim, UpdateRule, decode_moment, decode_step};
use crate::error::OptimError;
use crate::kernel::{effective_grad, update_param, with_const_flags};
use crate::param_group::{GroupOptions, IntoParamGroups, non_negative};
use crate::state_dict::ParamState;

/// Adagrad settings beyond `lr` and `weight_decay` (PyTorch's param-group keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AdagradOptions {
    /// Learning-rate decay: step `t` uses `lr / (1 + (t − 1)·lr_decay)` (`lr_decay`, default 0).
    pub lr_decay: f64,
    /// Starting value of the squared-gradient sum (`initial_accumulator_value`, default 0).
    pub initial_accumulator_value: f64,
    /// Added to the denominator (`eps`, default 1e-10).
    pub eps: f64,
    /// Maximise the objective (`maximize`).
    pub maximize: bool,
}

impl GroupOptions for AdagradOptions {
    fn validate(&self) -> Result<(), String> {
        non_negative("lr_decay", self.lr_decay)?;
        non_negative("eps", self.eps)?;
        non_negative("initial_accumulator_value", self.initial_accumulator_value)
    }
}

/// Construction settings of [`Adagrad`] with PyTorch's defaults (`lr=1e-2, eps=1e-10`, the rest 0).
#[derive(Clone, Debug, PartialEq)]
pub struct AdagradConfig {
    /// Learning rate (`lr`).
    pub lr: f64,
    /// L2 penalty added to the gradient (`weight_decay`).
    pub weight_decay: f64,
    /// The remaining settings.
    pub options: AdagradOptions,
}

impl Default for AdagradConfig {
    fn default() -> Self {
        AdagradConfig {
            lr: 1e-2,
            weight_decay: 0.0,
            options: AdagradOptions {
                lr_decay: 0.0,
                initial_accumulator_value: 0.0,
                eps: 1e-10,
                maximize: false,
            },
        }
    }
}

impl AdagradConfig {
    /// Defaults with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        AdagradConfig {
            lr,
            ..Default::default()
        }
    }
    /// Sets `lr_decay`.
    pub fn with_lr_decay(mut self, lr_decay: f64) -> Self {
        self.options.lr_decay = lr_decay;
        self
    }
    /// Sets `initial_accumulator_value`.
    pub fn with_initial_accumulator_value(mut self, value: f64) -> Self {
        self.options.initial_accumulator_value = value;
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

/// Per-parameter Adagrad state.
#[derive(Clone, Debug)]
pub struct AdagradState {
    step: u64,
    sum: Buf,
}

/// The Adagrad update rule.
pub struct AdagradRule;

/// Adagrad — `torch.optim.Adagrad` (Duchi et al., 2011,
/// <https://jmlr.org/papers/v12/duchi11a.html>).
///
/// `s ← s + g²`, `p ← p − clr · g / (√s + eps)` with `clr = lr / (1 + (t−1)·lr_decay)`.
/// Unlike PyTorch, the sum is created on the first step rather than in the constructor, which
/// gives the same trajectory.
pub type Adagrad = Optim<AdagradRule>;

impl Optim<AdagradRule> {
    /// Adagrad over `params`. Panics, as PyTorch raises, on a negative setting.
    pub fn new(params: impl IntoParamGroups, config: AdagradConfig) -> Self {
        let o = &config.options;
        assert!(
            config.lr >= 0.0,
            "Adagrad: invalid learning rate {}",
            config.lr
        );
        assert!(
            o.lr_decay >= 0.0,
            "Adagrad: invalid lr_decay value {}",
            o.lr_decay
        );
        assert!(o.eps >= 0.0, "Adagrad: invalid epsilon value {}", o.eps);
        assert!(
            o.initial_accumulator_value >= 0.0,
            "Adagrad: invalid initial_accumulator_value {}",
            o.initial_accumulator_value
        );
        assert!(
            config.weight_decay >= 0.0,
            "Adagrad: invalid weight_decay value {}",
            config.weight_decay
        );
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for AdagradRule {
    const NAME: &'static str = "Adagrad";
    type Options = AdagradOptions;
    type State = AdagradState;

    fn update(p: &Var, lr: f64, wd: f64, o: &AdagradOptions, state: &mut Option<AdagradState>) {
        let st = state.get_or_insert_with(|| AdagradState {
            step: 0,
            sum: Buf::filled(&p.value(), o.initial_accumulator_value),
        });
        dispatch_update!(p, adagrad_step(p, lr, wd, o, st))
    }

    fn encode(state: &AdagradState, dims: &[usize]) -> ParamState {
        let mut out = ParamState {
            step: Some(state.step as f64),
            ..Default::default()
        };
        out.tensors.insert("sum".into(), state.sum.to_tensor(dims));
        out
    }

    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        _o: &AdagradOptions,
    ) -> Result<AdagradState, OptimError> {
        Ok(AdagradState {
            step: decode_step(saved, index)?,
            sum: decode_moment(saved, "sum", param, index)?,
        })
    }
}

fn adagrad_step<T: Real>(param: &Var, lr: f64, wd: f64, o: &AdagradOptions, st: &mut AdagradState) {
    st.step += 1;
    let clr = lr / (1.0 + (st.step - 1) as f64 * o.lr_decay);
    let k = AdagradScalars {
        neg_clr: T::constant(-clr),
        eps: T::constant(o.eps),
        wd: T::constant(wd),
        one: T::constant(1.0),
    };
    let (maximize, use_wd) = (o.maximize, wd != 0.0);
    update_param::<T, _>(
        param,
        vec![Some(&mut st.sum)],
        #[inline(always)]
        |bufs, g| {
            let [p, sum] = bufs else { unreachable!() };
            with_const_flags!(adagrad_elements::<T>[maximize, use_wd](&k, p, sum, g))
        },
    );
}

/// The per-step constants of an Adagrad update, in the compute type.
struct AdagradScalars<T> {
    neg_clr: T,
    eps: T,
    wd: T,
    one: T,
}

/// Updates matching pieces of the parameter `p` and its squared-gradient sum from the gradient
/// `g`; the flags are const generics so that each combination is one branch-free loop.
#[inline(always)]
fn adagrad_elements<T: Real, const MAXIMIZE: bool, const WEIGHT_DECAY: bool>(
    k: &AdagradScalars<T>,
    p: &mut [T],
    sum: &mut [T],
    g: &[T],
) {
    for ((p, s), &g) in p.iter_mut().zip(sum.iter_mut()).zip(g) {
        let grad = effective_grad::<T, MAXIMIZE, WEIGHT_DECAY>(g, *p, k.wd);
        *s = *s + k.one * grad * grad;
        let std = s.sqrt() + k.eps;
        *p = *p + k.neg_clr * (grad / std);
    }
}
