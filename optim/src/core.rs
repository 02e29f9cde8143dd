//! `Optim<R>`: parameter groups, per-parameter state and `state_dict` handling shared by every
//! optimizer; the update rule `R` is the only part that differs between SGD, Adam, ….

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use crate::buffer::Buf;
use crate::error::OptimError;
use crate::optimizer::Optimizer;
use crate::param_group::{GroupOptions, GroupSpec, IntoParamGroups, ParamGroup};
use crate::state_dict::{GroupState, OptimizerState, ParamState};

static NEXT_ID: AtomicUsize = AtomicUsize::new(1);

/// The per-parameter update of one optimizer algorithm.
pub trait UpdateRule: 'static {
    /// The optimizer's PyTorch class name (`"Adam"`), stored in the state dict.
    const NAME: &'static str;
    /// Group settings beyond `lr` and `weight_decay`.
    type Options: GroupOptions;
    /// Per-parameter state (moment buffers, step count).
    type State: Clone + Send;

    /// Updates one parameter that has a gradient, creating its state on the first step.
    fn update(
        param: &Var,
        lr: f64,
        weight_decay: f64,
        options: &Self::Options,
        state: &mut Option<Self::State>,
    );

    /// The state as named tensors of the parameter's shape `dims`.
    fn encode(state: &Self::State, dims: &[usize]) -> ParamState;

    /// Rebuilds the state of parameter `index` (global) from a saved entry.
    fn decode(
        saved: &ParamState,
        param: &Var,
        index: usize,
        options: &Self::Options,
    ) -> Result<Self::State, OptimError>;
}

/// Groups and per-parameter states decoded from a saved state.
type Decoded<R> = (
    Vec<ParamGroup<<R as UpdateRule>::Options>>,
    Vec<Vec<Option<<R as UpdateRule>::State>>>,
);

/// An optimizer made of parameter groups and an update rule. Use it through its aliases
/// ([`crate::Sgd`], [`crate::Adam`], [`crate::AdamW`], …) and the [`Optimizer`] trait.
pub struct Optim<R: UpdateRule> {
    groups: Vec<ParamGroup<R::Options>>,
    state: Vec<Vec<Option<R::State>>>,
    default_lr: f64,
    default_weight_decay: f64,
    default_options: R::Options,
    id: usize,
}

impl<R: UpdateRule> Optim<R> {
    /// Builds an optimizer whose groups default to `lr`, `weight_decay` and `options`.
    pub(crate) fn with_defaults(
        params: impl IntoParamGroups,
        lr: f64,
        weight_decay: f64,
        options: R::Options,
    ) -> Self {
        let mut opt = Optim {
            groups: Vec::new(),
            state: Vec::new(),
            default_lr: lr,
            default_weight_decay: weight_decay,
            default_options: options,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        };
        for spec in params.into_param_groups() {
            opt.add_param_group(spec);
        }
        opt
    }

    /// The parameter groups (`optimizer.param_groups`).
    pub fn param_groups(&self) -> &[ParamGroup<R::Options>] {
        &self.groups
    }

    /// Mutable access to the groups, to change any hyper-parameter between steps (as assigning
    /// `group['betas'] = …` does in PyTorch). Replacing a group's parameters is not supported:
    /// keep `params` as it is.
    pub fn param_groups_mut(&mut self) -> &mut [ParamGroup<R::Options>] {
        &mut self.groups
    }

    /// The state of one parameter, by group and position (for inspection).
    pub fn param_state(&self, group: usize, index: usize) -> Option<&R::State> {
        self.state.get(group)?.get(index)?.as_ref()
    }

    /// Validates `saved` against this optimizer and decodes it, without changing anything.
    fn decode_all(&self, saved: &OptimizerState) -> Result<Decoded<R>, OptimError> {
        if saved.optimizer != R::NAME {
            return Err(OptimError::WrongOptimizer {
                expected: R::NAME.to_string(),
                found: saved.optimizer.clone(),
            });
        }
        if saved.param_groups.len() != self.groups.len() {
            return Err(OptimError::GroupCount {
                expected: self.groups.len(),
                found: saved.param_groups.len(),
            });
        }
        for (g, (group, sg)) in self.groups.iter().zip(&saved.param_groups).enumerate() {
            if sg.params.len() != group.params.len() {
                return Err(OptimError::ParamCount {
                    group: g,
                    expected: group.params.len(),
                    found: sg.params.len(),
                });
            }
        }
        let total: usize = self.groups.iter().map(|g| g.params.len()).sum();
        let out_of_range = |idx: usize| OptimError::MissingState {
            param: idx,
            what: format!("index out of range: the optimizer has {total} parameters"),
        };
        if let Some((&idx, _)) = saved.state.iter().find(|(i, _)| **i >= total) {
            return Err(out_of_range(idx));
        }
        // Every saved index names one parameter, once: an index past the end or repeated
        // would silently drop or share a parameter's state.
        let mut seen = vec![false; total];
        for (g, sg) in saved.param_groups.iter().enumerate() {
            sg.validate(g)?;
            for &idx in &sg.params {
                let slot = seen.get_mut(idx).ok_or_else(|| out_of_range(idx))?;
                if std::mem::replace(slot, true) {
                    return Err(OptimError::Invalid(format!(
                        "parameter index {idx} appears twice in `param_groups`"
                    )));
                }
            }
        }
        let mut groups = Vec::with_capacity(self.groups.len());
        let mut states = Vec::with_capacity(self.groups.len());
        let mut next = 0usize;
        for (g, (group, sg)) in self.groups.iter().zip(&saved.param_groups).enumerate() {
            let options: R::Options = serde_json::from_value(sg.options.clone())
                .map_err(|e| OptimError::Invalid(format!("options of group {g}: {e}")))?;
            options
                .validate()
                .map_err(|e| OptimError::Invalid(format!("options of group {g}: {e}")))?;
            let mut group_state = Vec::with_capacity(group.params.len());
            for (p, &saved_idx) in group.params.iter().zip(&sg.params) {
                let st = match saved.state.get(&saved_idx) {
                    Some(ps) => Some(R::decode(ps, p, next, &options)?),
                    None => None,
                };
                group_state.push(st);
                next += 1;
            }
            groups.push(ParamGroup {
                params: group.params.clone(),
                lr: sg.lr,
                weight_decay: sg.weight_decay,
                initial_lr: sg.initial_lr,
                options,
            });
            states.push(group_state);
        }
        Ok((groups, states))
    }
}

impl<R: UpdateRule> Optimizer for Optim<R> {
    fn step(&mut self) {
        let _guard = kiln_autograd::no_grad();
        for (group, states) in self.groups.iter().zip(self.state.iter_mut()) {
            for (param, state) in group.params.iter().zip(states.iter_mut()) {
                if param.grad().is_some() {
                    R::update(param, group.lr, group.weight_decay, &group.options, state);
                }
            }
        }
    }

    fn zero_grad(&mut self, set_to_none: bool) {
        for p in self.groups.iter().flat_map(|g| &g.params) {
            match p.grad() {
                Some(g) if !set_to_none => p.set_grad(Some(g.zeros_like())),
                _ => p.zero_grad(),
            }
        }
    }

    fn add_param_group(&mut self, group: GroupSpec) {
        let n = group.params.len();
        self.groups.push(ParamGroup {
            params: group.params,
            lr: group.lr.unwrap_or(self.default_lr),
            weight_decay: group.weight_decay.unwrap_or(self.default_weight_decay),
            initial_lr: None,
            options: self.default_options.clone(),
        });
        self.state.push(vec![None; n]);
    }

    fn num_param_groups(&self) -> usize {
        self.groups.len()
    }

    fn group_params(&self, group: usize) -> &[Var] {
        &self.groups[group].params
    }

    fn lr(&self, group: usize) -> f64 {
        self.groups[group].lr
    }

    fn set_lr(&mut self, group: usize, lr: f64) {
        self.groups[group].lr = lr;
    }

    fn initial_lr(&self, group: usize) -> Option<f64> {
        self.groups[group].initial_lr
    }

    fn set_initial_lr(&mut self, group: usize, lr: f64) {
        self.groups[group].initial_lr = Some(lr);
    }

    fn momentum(&self, group: usize) -> Option<f64> {
        self.groups[group].options.momentum()
    }

    fn set_momentum(&mut self, group: usize, momentum: f64) {
        self.groups[group].options.set_momentum(momentum);
    }

    fn state_dict(&self) -> OptimizerState {
        let mut param_groups = Vec::with_capacity(self.groups.len());
        let mut state = BTreeMap::new();
        let mut next = 0usize;
        for (group, states) in self.groups.iter().zip(&self.state) {
            let mut indices = Vec::with_capacity(group.params.len());
            for (p, st) in group.params.iter().zip(states) {
                if let Some(st) = st {
                    state.insert(next, R::encode(st, &p.dims()));
                }
                indices.push(next);
                next += 1;
            }
            param_groups.push(GroupState {
                params: indices,
                lr: group.lr,
                weight_decay: group.weight_decay,
                initial_lr: group.initial_lr,
                options: serde_json::to_value(&group.options)
                    .expect("optimizer options always serialise to JSON"),
            });
        }
        OptimizerState {
            optimizer: R::NAME.to_string(),
            param_groups,
            state,
        }
    }

    fn load_state_dict(&mut self, state: &OptimizerState) -> Result<(), OptimError> {
        let (groups, states) = self.decode_all(state)?;
        self.groups = groups;
        self.state = states;
        Ok(())
    }

    fn instance_id(&self) -> usize {
        self.id
    }
}

/// Reads state tensor `key` of parameter `index`, checking its shape against the parameter
/// and its values for NaN and infinities, and converting it to the parameter's compute
/// dtype and device.
pub(crate) fn decode_buf(
    saved: &ParamState,
    key: &str,
    param: &Var,
    index: usize,
) -> Result<Buf, OptimError> {
    decode_checked(saved, key, param, index, false)
}

/// [`decode_buf`] for a running average of squares (`exp_avg_sq`, `square_avg`, `sum`, …),
/// which must also be non-negative: a negative value would make the update's square root NaN.
pub(crate) fn decode_moment(
    saved: &ParamState,
    key: &str,
    param: &Var,
    index: usize,
) -> Result<Buf, OptimError> {
    decode_checked(saved, key, param, index, true)
}

fn decode_checked(
    saved: &ParamState,
    key: &str,
    param: &Var,
    index: usize,
    non_negative: bool,
) -> Result<Buf, OptimError> {
    let t: &Tensor = saved
        .tensors
        .get(key)
        .ok_or_else(|| OptimError::MissingState {
            param: index,
            what: format!("no `{key}` tensor"),
        })?;
    let dims = param.dims();
    if t.dims() != dims.as_slice() {
        return Err(OptimError::ShapeMismatch {
            param: index,
            key: key.to_string(),
            expected: dims,
            found: t.dims().to_vec(),
        });
    }
    if !t.dtype().is_float() {
        return Err(OptimError::Invalid(format!(
            "state `{key}` of parameter {index} has dtype {}, expected a float type",
            t.dtype()
        )));
    }
    let buf = Buf::from_tensor(t, &param.value());
    let bad = match &buf {
        Buf::F32(v) => first_bad(v.iter().map(|&x| f64::from(x)), non_negative),
        Buf::F64(v) => first_bad(v.iter().copied(), non_negative),
        Buf::Device(_) => first_bad(t.to_vec::<f32>().into_iter().map(f64::from), non_negative),
    };
    if let Some((i, x)) = bad {
        let expected = if non_negative {
            "finite non-negative values"
        } else {
            "finite values"
        };
        return Err(OptimError::Invalid(format!(
            "state `{key}` of parameter {index} holds {x} at element {i}, expected {expected}"
        )));
    }
    Ok(buf)
}

/// The first element that is NaN or infinite (or negative, when `non_negative`).
fn first_bad(values: impl Iterator<Item = f64>, non_negative: bool) -> Option<(usize, f64)> {
    values
        .enumerate()
        .find(|&(_, x)| !x.is_finite() || (non_negative && x < 0.0))
}

/// Reads the step count of parameter `index`: a finite, non-negative whole number.
pub(crate) fn decode_step(saved: &ParamState, index: usize) -> Result<u64, OptimError> {
    let step = saved.step.ok_or_else(|| OptimError::MissingState {
        param: index,
        what: "no `step` count".to_string(),
    })?;
    if !(step.is_finite() && step >= 0.0 && step.fract() == 0.0 && step < 9.0e15) {
        return Err(OptimError::Invalid(format!(
            "step of parameter {index} is {step}, expected a non-negative whole number"
        )));
    }
    Ok(step as u64)
}
