//! RMSprop (`torch.optim.RMSprop`).

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::buffer::{Buf, Real, dispatch_update};
use crate::core::{Optim, UpdateRule, decode_buf, decode_moment, decode_step};
use crate::error::OptimError;
use crate::kernel::{effective_grad, lerp, update_param, with_const_flags};
use crate::param_group::{GroupOptions, IntoParamGroups, non_negative};
use crate::state_dict::ParamState;

/// RMSprop settings beyond `lr` and `weight_decay` (PyTorch's param-group keys).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RmspropOptions {
    /// Smoothing constant of the squared-gradient average (`alpha`, default 0.99).
    pub alpha: f64,
    /// Added to the denominator (`eps`, default 1e-8).
    pub eps: f64,
    /// Momentum factor (`momentum`, default 0).
    pub momentum: f64,
    /// Normalise by the estimated variance instead of the raw second moment (`centered`).
    pub centered: bool,
    /// Maximise the objective (`maximize`).
    pub maximize: bool,
}

impl GroupOptions for RmspropOptions {
    fn momentum(&self) -> Option<f64> {
        Some(self.momentum)
    }
    fn set_momentum(&mut self, momentum: f64) {
        self.momentum = momentum;
    }
    fn validate(&self) -> Result<(), String> {
        non_negative("alpha", self.alpha)?;
        non_negative("eps", self.eps)?;
        non_negative("momentum", self.momentum)
    }
}

/// Construction settings of [`Rmsprop`] with PyTorch's defaults (`lr=1e-2, alpha=0.99,
/// eps=1e-8`, no momentum, not centred).
#[derive(Clone, Debug, PartialEq)]
pub struct RmspropConfig {
    /// Learning rate (`lr`).
    pub lr: f64,
    /// L2 penalty added to the gradient (`weight_decay`).
    pub weight_decay: f64,
    /// The remaining settings.
    pub options: RmspropOptions,
}

impl Default for RmspropConfig {
    fn default() -> Self {
        RmspropConfig {
            lr: 1e-2,
            weight_decay: 0.0,
            options: RmspropOptions {
                alpha: 0.99,
                eps: 1e-8,
                momentum: 0.0,
                centered: false,
                maximize: false,
            },
        }
    }
}

impl RmspropConfig {
    /// Defaults with learning rate `lr`.
    pub fn new(lr: f64) -> Self {
        RmspropConfig {
            lr,
            ..Default::default()
        }
    }
    /// Sets `alpha`.
    pub fn with_alpha(mut self, alpha: f64) -> Self {
        self.options.alpha = alpha;
        self
    }
    /// Sets `eps`.
    pub fn with_eps(mut self, eps: f64) -> Self {
        self.options.eps = eps;
        self
    }
    /// Sets `momentum`.
    pub fn with_momentum(mut self, momentum: f64) -> Self {
        self.options.momentum = momentum;
        self
    }
    /// Sets `centered`.
    pub fn with_centered(mut self, centered: bool) -> Self {
        self.options.centered = centered;
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

/// Per-parameter RMSprop state.
#[derive(Clone, Debug)]
pub struct RmspropState {
    step: u64,
    square_avg: Buf,
    momentum_buffer: Option<Buf>,
    grad_avg: Option<Buf>,
}

/// The RMSprop update rule.
pub struct RmspropRule;

/// RMSprop — `torch.optim.RMSprop` (Hinton, Lecture 6e of Neural Networks for Machine
/// Learning; centred form from Graves, 2013).
///
/// `v ← αv + (1−α)g²`; `avg = √(v − ḡ²) + eps` when centred (`ḡ` the running mean gradient),
/// else `√v + eps`; with momentum `b ← μb + g/avg, p ← p − lr·b`, else `p ← p − lr·g/avg`.
pub type Rmsprop = Optim<RmspropRule>;

impl Optim<RmspropRule> {
    /// RMSprop over `params`. Panics, as PyTorch raises, on a negative lr, eps, momentum,
    /// weight decay or alpha.
    pub fn new(params: impl IntoParamGroups, config: RmspropConfig) -> Self {
        let o = &config.options;
        assert!(
            config.lr >= 0.0,
            "RMSprop: invalid learning rate {}",
            config.lr
        );
        assert!(o.eps >= 0.0, "RMSprop: invalid epsilon value {}", o.eps);
        assert!(
            o.momentum >= 0.0,
            "RMSprop: invalid momentum value {}",
            o.momentum
        );
        assert!(o.alpha >= 0.0, "RMSprop: invalid alpha value {}", o.alpha);
        assert!(
            config.weight_decay >= 0.0,
            "RMSprop: invalid weight_decay value {}",
            config.weight_decay
        );
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for RmspropRule {
    const NAME: &'static str = "RMSprop";
    type Options = RmspropOptions;
    type State = RmspropState;

    fn update(p: &Var, lr: f64, wd: f64, o: &RmspropOptions, state: &mut Option<RmspropState>) {
        let st = state.get_or_insert_with(|| RmspropState {
            step: 0,
            square_avg: Buf::filled(&p.value(), 0.0),
            momentum_buffer: (o.momentum > 0.0).then(|| Buf::filled(&p.value(), 0.0)),
            grad_avg: o.centered.then(|| Buf::filled(&p.value(), 0.0)),
        });
        dispatch_update!(p, rmsprop_step(p, lr, wd, o, st))
    }

    fn encode(state: &RmspropState, dims: &[usize]) -> ParamState {
        let mut out = ParamState {
            step: Some(state.step as f64),
            ..Default::default()
        };
        out.tensors
            .insert("square_avg".into(), state.square_avg.to_tensor(dims));
        if let Some(b) = &state.momentum_buffer {
            out.tensors
                .insert("momentum_buffer".into(), b.to_tensor(dims));
        }
        if let Some(b) = &state.grad_avg {
            out.tensors.insert("grad_avg".into(), b.to_tensor(dims));
        }
        out
    }

    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        o: &RmspropOptions,
    ) -> Result<RmspropState, OptimError> {
        let optional = |key: &str, wanted: bool| {
            if wanted {
                decode_buf(saved, key, param, index).map(Some)
            } else {
                Ok(None)
            }
        };
        Ok(RmspropState {
            step: decode_step(saved, index)?,
            square_avg: decode_moment(saved, "square_avg", param, index)?,
            momentum_buffer: optional("momentum_buffer", o.momentum > 0.0)?,
            grad_avg: optional("grad_avg", o.centered)?,
        })
    }
}

fn rmsprop_step<T: Real>(param: &Var, lr: f64, wd: f64, o: &RmspropOptions, st: &mut RmspropState) {
    st.step += 1;
    // A momentum or centring switched on after the first step starts from zeros.
    if o.momentum > 0.0 && st.momentum_buffer.is_none() {
        st.momentum_buffer = Some(Buf::filled(&param.value(), 0.0));
    }
    if o.centered && st.grad_avg.is_none() {
        st.grad_avg = Some(Buf::filled(&param.value(), 0.0));
    }
    let k = RmspropScalars {
        alpha: T::constant(o.alpha),
        one_minus_alpha: T::constant(1.0 - o.alpha),
        eps: T::constant(o.eps),
        mom: T::constant(o.momentum),
        neg_lr: T::constant(-lr),
        wd: T::constant(wd),
    };
    let small = 1.0 - o.alpha < 0.5;
    let (maximize, use_wd, centered, use_mom) =
        (o.maximize, wd != 0.0, o.centered, o.momentum > 0.0);
    let bufs = vec![
        Some(&mut st.square_avg),
        st.momentum_buffer.as_mut().filter(|_| use_mom),
        st.grad_avg.as_mut().filter(|_| centered),
    ];
    update_param::<T, _>(
        param,
        bufs,
        #[inline(always)]
        |bufs, g| {
            let [p, sq, buf, gavg] = bufs else {
                unreachable!()
            };
            with_const_flags!(rmsprop_elements::<T>[maximize, use_wd, centered, use_mom, small](
                &k, p, sq, buf, gavg, g
            ))
        },
    );
}

/// The per-step constants of an RMSprop update, in the compute type.
struct RmspropScalars<T> {
    alpha: T,
    one_minus_alpha: T,
    eps: T,
    mom: T,
    neg_lr: T,
    wd: T,
}

/// Updates matching pieces of the parameter `p`, its running squared gradient `sq`, and (when
/// used, else empty) its momentum buffer `buf` and running gradient `gavg`, from the gradient
/// `g`. The flags are const generics so that each combination is one branch-free loop; `SMALL`
/// is `1 − α < 0.5`, which picks the form of [`lerp`].
#[inline(always)]
fn rmsprop_elements<
    T: Real,
    const MAXIMIZE: bool,
    const WEIGHT_DECAY: bool,
    const CENTERED: bool,
    const MOMENTUM: bool,
    const SMALL: bool,
>(
    k: &RmspropScalars<T>,
    p: &mut [T],
    sq: &mut [T],
    buf: &mut [T],
    gavg: &mut [T],
    g: &[T],
) {
    // Slicing to the gradient's length lets LLVM drop the bounds checks in the loop.
    let n = g.len();
    let (p, sq) = (&mut p[..n], &mut sq[..n]);
    let buf = if MOMENTUM { &mut buf[..n] } else { buf };
    let gavg = if CENTERED { &mut gavg[..n] } else { gavg };
    for i in 0..n {
        let grad = effective_grad::<T, MAXIMIZE, WEIGHT_DECAY>(g[i], p[i], k.wd);
        let s = sq[i] * k.alpha + k.one_minus_alpha * grad * grad;
        sq[i] = s;
        let avg = if CENTERED {
            let ga = lerp(gavg[i], grad, k.one_minus_alpha, k.alpha, SMALL);
            gavg[i] = ga;
            (s + T::constant(-1.0) * ga * ga).sqrt()
        } else {
            s.sqrt()
        } + k.eps;
        if MOMENTUM {
            let b = buf[i] * k.mom + grad / avg;
            buf[i] = b;
            p[i] = p[i] + k.neg_lr * b;
        } else {
            p[i] = p[i] + k.neg_lr * (grad / avg);
        }
    }
}
