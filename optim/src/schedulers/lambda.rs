//! `LambdaLR`: the lr is the base lr times a function of the step.

use crate::optimizer::Optimizer;
use crate::schedulers::base::{LrRule, Scheduler};

/// A multiplier of the base lr as a function of the step count (`lr_lambda`).
pub type LrLambda = Box<dyn Fn(usize) -> f64 + Send + Sync>;

/// The formula of [`LambdaLR`]: one function per group, or one shared by all.
pub struct LambdaRule {
    lambdas: Vec<LrLambda>,
}

/// `torch.optim.lr_scheduler.LambdaLR`: `lr = base_lr · lr_lambda(epoch)`.
pub type LambdaLR = Scheduler<LambdaRule>;

impl Scheduler<LambdaRule> {
    /// A LambdaLR applying `lr_lambda` to every group.
    pub fn new(
        opt: &mut dyn Optimizer,
        lr_lambda: impl Fn(usize) -> f64 + Send + Sync + 'static,
    ) -> Self {
        Scheduler::attach(
            opt,
            LambdaRule {
                lambdas: vec![Box::new(lr_lambda)],
            },
        )
    }

    /// A LambdaLR with one function per group (`lr_lambda=[f0, f1, …]`). Panics when the count
    /// differs from the optimizer's group count, as PyTorch raises.
    pub fn per_group(opt: &mut dyn Optimizer, lambdas: Vec<LrLambda>) -> Self {
        assert_eq!(
            lambdas.len(),
            opt.num_param_groups(),
            "LambdaLR: expected {} lr_lambdas, got {}",
            opt.num_param_groups(),
            lambdas.len()
        );
        Scheduler::attach(opt, LambdaRule { lambdas })
    }
}

impl LrRule for LambdaRule {
    fn lrs(
        &mut self,
        epoch: i64,
        base: &[f64],
        _opt: &mut dyn Optimizer,
        _closed: bool,
    ) -> Vec<f64> {
        let epoch = epoch.max(0) as usize;
        base.iter()
            .enumerate()
            .map(|(g, b)| {
                let f = if self.lambdas.len() == 1 {
                    &self.lambdas[0]
                } else {
                    &self.lambdas[g]
                };
                b * f(epoch)
            })
            .collect()
    }
}
