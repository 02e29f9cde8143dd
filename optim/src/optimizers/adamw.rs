//! AdamW: Adam with decoupled weight decay (`torch.optim.AdamW`).

use kiln_autograd::Var;

use crate::core::{Optim, UpdateRule};
use crate::error::OptimError;
use crate::optimizers::adam::{
    AdamConfig, AdamOptions, AdamState, adam_update, decode_adam, encode_adam,
};
use crate::param_group::IntoParamGroups;
use crate::state_dict::ParamState;

/// The AdamW update rule (Adam's, with `decoupled_weight_decay` on).
pub struct AdamWRule;

/// AdamW — `torch.optim.AdamW` (Loshchilov & Hutter, 2019, <https://arxiv.org/abs/1711.05101>).
///
/// Adam's update, but weight decay shrinks the weights directly, `p ← p·(1 − lr·wd)`, before
/// the moment step instead of being added to the gradient. Default `weight_decay` is 0.01.
pub type AdamW = Optim<AdamWRule>;

impl AdamConfig {
    /// AdamW's PyTorch defaults: `lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01`,
    /// decoupled weight decay.
    pub fn adamw(lr: f64) -> AdamConfig {
        let mut c = AdamConfig::new(lr).with_weight_decay(0.01);
        c.options.decoupled_weight_decay = true;
        c
    }
}

impl Optim<AdamWRule> {
    /// AdamW over `params`; build `config` with [`AdamConfig::adamw`] for PyTorch's AdamW
    /// defaults. Decoupled decay is always on, whatever `config` says. Panics, as PyTorch
    /// raises, on an invalid lr, eps, betas or weight decay.
    pub fn new(params: impl IntoParamGroups, mut config: AdamConfig) -> Self {
        config.validate("AdamW");
        config.options.decoupled_weight_decay = true;
        Optim::with_defaults(params, config.lr, config.weight_decay, config.options)
    }
}

impl UpdateRule for AdamWRule {
    const NAME: &'static str = "AdamW";
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
