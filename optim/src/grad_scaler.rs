//! Loss scaling for mixed-precision training (`torch.amp.GradScaler`).

use std::collections::HashMap;

use kiln_autograd::Var;
use serde::{Deserialize, Serialize};

use crate::error::OptimError;
use crate::optimizer::Optimizer;

/// Where an optimizer is within the current iteration (PyTorch's `OptState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// `unscale_` done: the gradients are true gradients; `found_inf` says if any was not finite.
    Unscaled { found_inf: bool },
    /// `step` done (or skipped) this iteration.
    Stepped { found_inf: bool },
}

/// Settings of a [`GradScaler`] with PyTorch's defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradScalerConfig {
    /// Starting scale (`init_scale`, default 2^16).
    pub init_scale: f64,
    /// Multiplier after `growth_interval` clean steps (`growth_factor`, default 2).
    pub growth_factor: f64,
    /// Multiplier after a step with inf/NaN gradients (`backoff_factor`, default 0.5).
    pub backoff_factor: f64,
    /// Clean steps between growths (`growth_interval`, default 2000).
    pub growth_interval: u64,
    /// When false every method is a pass-through (`enabled`, default true).
    pub enabled: bool,
}

impl Default for GradScalerConfig {
    fn default() -> Self {
        GradScalerConfig {
            init_scale: 65536.0,
            growth_factor: 2.0,
            backoff_factor: 0.5,
            growth_interval: 2000,
            enabled: true,
        }
    }
}

/// The scaler's persistent state (`GradScaler.state_dict()`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradScalerState {
    /// The current scale (`scale`).
    pub scale: f64,
    /// `growth_factor`.
    pub growth_factor: f64,
    /// `backoff_factor`.
    pub backoff_factor: f64,
    /// `growth_interval`.
    pub growth_interval: u64,
    /// Clean steps since the last growth or backoff (`_growth_tracker`).
    pub growth_tracker: u64,
}

/// Dynamic loss scaling like `torch.amp.GradScaler`: multiply the loss by the scale before
/// `backward` so small f16 gradients do not flush to zero, divide the gradients back before
/// the step, skip steps whose gradients overflowed, and adapt the scale.
///
/// Per iteration: `scaler.scale(&loss).backward()`, optionally `scaler.unscale_(&mut opt)` and
/// clipping, `scaler.step(&mut opt)`, `scaler.update()`.
#[derive(Debug)]
pub struct GradScaler {
    config: GradScalerConfig,
    /// Kept in f32 as PyTorch keeps `_scale` as a float32 tensor.
    scale: f32,
    growth_tracker: u64,
    per_optimizer: HashMap<usize, Stage>,
}

impl Default for GradScaler {
    fn default() -> Self {
        GradScaler::new(GradScalerConfig::default())
    }
}

impl GradScaler {
    /// A scaler with `config`. Panics if `growth_factor <= 1` or `backoff_factor` is not in
    /// (0, 1), as PyTorch asserts.
    pub fn new(config: GradScalerConfig) -> Self {
        assert!(
            config.growth_factor > 1.0,
            "GradScaler: growth_factor should be > 1"
        );
        assert!(
            config.backoff_factor > 0.0 && config.backoff_factor < 1.0,
            "GradScaler: backoff_factor should be < 1 and > 0"
        );
        GradScaler {
            scale: config.init_scale as f32,
            growth_tracker: 0,
            per_optimizer: HashMap::new(),
            config,
        }
    }

    /// True unless built with `enabled: false` (`is_enabled()`).
    pub fn is_enabled(&self) -> bool {
        self.config.enabled
    }

    /// The current scale (`get_scale()`); 1 when disabled.
    pub fn get_scale(&self) -> f64 {
        if self.config.enabled {
            self.scale as f64
        } else {
            1.0
        }
    }

    /// `outputs · scale`, recorded in the graph so `backward` yields scaled gradients
    /// (`scaler.scale(loss)`). Returns `outputs` unchanged when disabled.
    pub fn scale(&self, outputs: &Var) -> Var {
        if !self.config.enabled {
            return outputs.clone();
        }
        outputs.mul_scalar(self.scale as f64)
    }

    /// Divides the gradients of `opt`'s parameters by the scale in place and records whether
    /// any is inf or NaN (`scaler.unscale_(optimizer)`). Call it before clipping. A second call
    /// for the same optimizer before [`GradScaler::update`] does nothing more (PyTorch raises
    /// instead); calling it after `step` in the same iteration panics, as PyTorch raises.
    pub fn unscale_(&mut self, opt: &mut dyn Optimizer) {
        if !self.config.enabled {
            return;
        }
        match self.per_optimizer.get(&opt.instance_id()) {
            Some(Stage::Unscaled { .. }) => return,
            Some(Stage::Stepped { .. }) => panic!("unscale_() is being called after step()."),
            None => {}
        }
        // PyTorch: inv_scale = scale.double().reciprocal().float().
        let inv_scale = (1.0 / self.scale as f64) as f32 as f64;
        let mut found_inf = false;
        let _guard = kiln_autograd::no_grad();
        for p in opt.params() {
            let Some(g) = p.grad() else { continue };
            let unscaled = &g * inv_scale;
            if !found_inf {
                found_inf = unscaled.to_vec::<f64>().iter().any(|x| !x.is_finite());
            }
            p.set_grad(Some(unscaled));
        }
        self.per_optimizer
            .insert(opt.instance_id(), Stage::Unscaled { found_inf });
    }

    /// Unscales the gradients if not done yet, then runs `opt.step()` unless a gradient was
    /// inf or NaN (`scaler.step(optimizer)`). Returns whether the step ran. Panics if called
    /// twice for one optimizer before `update`, as PyTorch raises.
    pub fn step(&mut self, opt: &mut dyn Optimizer) -> bool {
        if !self.config.enabled {
            opt.step();
            return true;
        }
        if let Some(Stage::Stepped { .. }) = self.per_optimizer.get(&opt.instance_id()) {
            panic!("step() has already been called since the last update().");
        }
        self.unscale_(opt);
        let found_inf = match self.per_optimizer.get(&opt.instance_id()) {
            Some(Stage::Unscaled { found_inf }) => *found_inf,
            _ => unreachable!("unscale_ records the optimizer"),
        };
        if !found_inf {
            opt.step();
        }
        self.per_optimizer
            .insert(opt.instance_id(), Stage::Stepped { found_inf });
        !found_inf
    }

    /// Adapts the scale after the iteration's steps (`scaler.update()`): multiplies it by
    /// `backoff_factor` if any optimizer saw inf/NaN gradients (and restarts the count), else
    /// counts a clean step and multiplies by `growth_factor` every `growth_interval` clean
    /// steps. Panics if no optimizer was stepped since the last update, as PyTorch asserts.
    pub fn update(&mut self) {
        if !self.config.enabled {
            return;
        }
        assert!(
            !self.per_optimizer.is_empty(),
            "No inf checks were recorded prior to update."
        );
        let found_inf = self.per_optimizer.values().any(|s| match s {
            Stage::Unscaled { found_inf } | Stage::Stepped { found_inf } => *found_inf,
        });
        if found_inf {
            self.scale = (self.scale as f64 * self.config.backoff_factor) as f32;
            self.growth_tracker = 0;
        } else {
            self.growth_tracker += 1;
            if self.growth_tracker == self.config.growth_interval {
                self.scale = (self.scale as f64 * self.config.growth_factor) as f32;
                self.growth_tracker = 0;
            }
        }
        self.per_optimizer.clear();
    }

    /// Sets the scale directly (`scaler.update(new_scale)`), and ends the iteration.
    pub fn update_to(&mut self, new_scale: f64) {
        self.scale = new_scale as f32;
        self.per_optimizer.clear();
    }

    /// The persistent state (`state_dict()`).
    pub fn state_dict(&self) -> GradScalerState {
        GradScalerState {
            scale: self.get_scale(),
            growth_factor: self.config.growth_factor,
            backoff_factor: self.config.backoff_factor,
            growth_interval: self.config.growth_interval,
            growth_tracker: self.growth_tracker,
        }
    }

    /// Restores a state from [`GradScaler::state_dict`] (`load_state_dict`). Rejects a
    /// non-finite or non-positive scale or invalid factors.
    pub fn load_state_dict(&mut self, state: &GradScalerState) -> Result<(), OptimError> {
        if !(state.scale.is_finite() && state.scale > 0.0) {
            return Err(OptimError::Invalid(format!(
                "GradScaler scale {}",
                state.scale
            )));
        }
        if !(state.growth_factor > 1.0 && state.backoff_factor > 0.0 && state.backoff_factor < 1.0)
        {
            return Err(OptimError::Invalid(format!(
                "GradScaler factors growth {} backoff {}",
                state.growth_factor, state.backoff_factor
            )));
        }
        self.scale = state.scale as f32;
        self.config.growth_factor = state.growth_factor;
        self.config.backoff_factor = state.backoff_factor;
        self.config.growth_interval = state.growth_interval;
        self.growth_tracker = state.growth_tracker;
        Ok(())
    }
}
