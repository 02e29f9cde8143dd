//! Batch normalisation over a batch of feature vectors (`nn.BatchNorm1d`).

use std::sync::atomic::{AtomicBool, Ordering};

use kiln_autograd::{Var, no_grad};
use kiln_tensor::{DType, Tensor};

use crate::module::repr::{py_bool, py_float};
use crate::{Forward, Module, Visitor};

/// Normalises each of `num_features` channels of a `[N, C]` or `[N, C, L]` input with the
/// batch's statistics in training mode and the running estimates in eval mode
/// (`nn.BatchNorm1d(num_features, eps=1e-5, momentum=0.1)`).
pub struct BatchNorm1d {
    /// Per-channel scale `[C]`, ones; `None` without `affine`.
    pub weight: Option<Var>,
    /// Per-channel shift `[C]`, zeros; `None` without `affine`.
    pub bias: Option<Var>,
    /// Running mean `[C]` (buffer), updated in training mode.
    pub running_mean: Option<Var>,
    /// Running unbiased variance `[C]` (buffer), updated in training mode.
    pub running_var: Option<Var>,
    /// Number of training batches seen (int64 scalar buffer).
    pub num_batches_tracked: Option<Var>,
    num_features: usize,
    eps: f64,
    momentum: Option<f64>,
    training: AtomicBool,
}

impl BatchNorm1d {
    /// `nn.BatchNorm1d(num_features)`: affine, tracking running stats, momentum 0.1.
    pub fn new(num_features: usize) -> BatchNorm1d {
        BatchNorm1d::with_options(num_features, 1e-5, Some(0.1), true, true)
    }

    /// `nn.BatchNorm1d(num_features, eps, momentum, affine, track_running_stats)`; a `None`
    /// momentum keeps a cumulative moving average.
    pub fn with_options(
        num_features: usize,
        eps: f64,
        momentum: Option<f64>,
        affine: bool,
        track_running_stats: bool,
    ) -> BatchNorm1d {
        BatchNorm1d {
            weight: affine.then(|| Var::parameter(Tensor::ones([num_features]))),
            bias: affine.then(|| Var::parameter(Tensor::zeros([num_features]))),
            running_mean: track_running_stats.then(|| Var::constant(Tensor::zeros([num_features]))),
            running_var: track_running_stats.then(|| Var::constant(Tensor::ones([num_features]))),
            num_batches_tracked: track_running_stats
                .then(|| Var::constant(Tensor::zeros_with([], DType::I64, &Default::default()))),
            num_features,
            eps,
            momentum,
            training: AtomicBool::new(true),
        }
    }

    /// Folds this batch's statistics into the running estimates (PyTorch's update rule: the
    /// variance estimate is unbiased).
    fn update_running_stats(&self, mean: &Tensor, var_biased: &Tensor, count: usize) {
        let (Some(rm), Some(rv), Some(nbt)) = (
            &self.running_mean,
            &self.running_var,
            &self.num_batches_tracked,
        ) else {
            return;
        };
        let _guard = no_grad();
        let batches = nbt.value().add_scalar(1);
        let factor = match self.momentum {
            Some(m) => m,
            None => 1.0 / batches.item::<i64>() as f64,
        };
        let unbiased = var_biased.mul_scalar(count as f64 / (count.max(2) - 1) as f64);
        let blend = |old: &Tensor, new: &Tensor| {
            &old.mul_scalar(1.0 - factor) + &new.to_dtype(old.dtype()).mul_scalar(factor)
        };
        rm.set_value(blend(&rm.value(), mean));
        rv.set_value(blend(&rv.value(), &unbiased));
        nbt.set_value(batches);
    }
}

impl Forward for BatchNorm1d {
    /// `[N, C]` or `[N, C, L]` → same shape.
    fn forward(&self, input: &Var) -> Var {
        let dims = input.dims();
        assert!(
            dims.len() == 2 || dims.len() == 3,
            "BatchNorm1d: expected 2D or 3D input (got {}D input)",
            dims.len()
        );
        assert_eq!(
            dims[1], self.num_features,
            "BatchNorm1d: input has {} channels, the layer expects {}",
            dims[1], self.num_features
        );
        let reduce: Vec<i64> = if dims.len() == 2 { vec![0] } else { vec![0, 2] };
        let channel_shape: Vec<isize> = if dims.len() == 2 {
            vec![-1]
        } else {
            vec![-1, 1]
        };
        let use_batch_stats = self.training.load(Ordering::Relaxed) || self.running_mean.is_none();
        let (centered, inv_std) = if use_batch_stats {
            let count = dims[0] * dims.get(2).copied().unwrap_or(1);
            assert!(
                count > 1,
                "BatchNorm1d: expected more than 1 value per channel when training, got input \
                 of shape {dims:?}"
            );
            let mean = input.mean_dim(&reduce, true);
            let centered = input.sub(&mean);
            let var = centered.pow_scalar(2.0).mean_dim(&reduce, true);
            if self.training.load(Ordering::Relaxed) {
                self.update_running_stats(
                    &mean.value().reshape_to(vec![self.num_features]),
                    &var.value().reshape_to(vec![self.num_features]),
                    count,
                );
            }
            (centered, var.add_scalar(self.eps).rsqrt())
        } else {
            let stat = |v: &Option<Var>| {
                Var::constant(
                    v.as_ref()
                        .expect("tracked stats")
                        .value()
                        .reshape(&channel_shape),
                )
            };
            let centered = input.sub(&stat(&self.running_mean));
            (
                centered,
                stat(&self.running_var).add_scalar(self.eps).rsqrt(),
            )
        };
        let mut y = centered.mul(&inv_std);
        if let (Some(w), Some(b)) = (&self.weight, &self.bias) {
            y = y
                .mul(&w.reshape(&channel_shape))
                .add(&b.reshape(&channel_shape));
        }
        y
    }
}

impl Module for BatchNorm1d {
    fn type_name(&self) -> String {
        "BatchNorm1d".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        for (name, p) in [("weight", &self.weight), ("bias", &self.bias)] {
            if let Some(p) = p {
                visitor.parameter(name, p);
            }
        }
        for (name, b) in [
            ("running_mean", &self.running_mean),
            ("running_var", &self.running_var),
            ("num_batches_tracked", &self.num_batches_tracked),
        ] {
            if let Some(b) = b {
                visitor.buffer(name, b);
            }
        }
    }

    fn extra_repr(&self) -> String {
        let momentum = self.momentum.map_or("None".into(), py_float);
        format!(
            "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}",
            self.num_features,
            py_float(self.eps),
            momentum,
            py_bool(self.weight.is_some()),
            py_bool(self.bias.is_some()),
            py_bool(self.running_mean.is_some())
        )
    }

    fn own_training(&self) -> Option<bool> {
        Some(self.training.load(Ordering::Relaxed))
    }

    fn set_own_training(&self, training: bool) {
        self.training.store(training, Ordering::Relaxed);
    }
}
