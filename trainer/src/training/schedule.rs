//! The optimizer and learning-rate schedule a [`crate::TrainingArguments`] describes (HF's
//! `Trainer.create_optimizer` and `transformers.get_scheduler`).

use std::f64::consts::PI;

use kiln_autograd::Var;
use kiln_optim::schedulers::{
    LambdaLR, LrScheduler, OneCycleConfig, OneCycleLR, get_constant_schedule,
    get_constant_schedule_with_warmup, get_cosine_schedule_with_warmup,
    get_linear_schedule_with_warmup,
};
use kiln_optim::{
    Adagrad, AdagradConfig, AdamConfig, AdamW, GroupingConfig, Optimizer, Rmsprop, RmspropConfig,
    Sgd, SgdConfig, param_groups_from_named,
};

use crate::training::args::{OptimizerName, SchedulerType, TrainingArguments};

/// The optimizer HF's Trainer builds: the trainable parameters in two groups, with
/// `weight_decay` and without it for biases and LayerNorm weights, and the arguments'
/// learning rate, betas and epsilon.
pub fn create_optimizer(
    named_parameters: Vec<(String, Var)>,
    args: &TrainingArguments,
) -> Box<dyn Optimizer> {
    let trainable = named_parameters
        .into_iter()
        .filter(|(_, p)| p.requires_grad());
    let groups = param_groups_from_named(trainable, &GroupingConfig::new(args.weight_decay));
    let lr = args.learning_rate;
    match args.optim {
        OptimizerName::AdamwTorch => Box::new(AdamW::new(
            groups,
            AdamConfig::adamw(lr)
                .with_betas(args.adam_beta1, args.adam_beta2)
                .with_eps(args.adam_epsilon)
                .with_weight_decay(args.weight_decay),
        )),
        OptimizerName::Sgd => Box::new(Sgd::new(
            groups,
            SgdConfig::new(lr).with_weight_decay(args.weight_decay),
        )),
        OptimizerName::Adagrad => Box::new(Adagrad::new(groups, AdagradConfig::new(lr))),
        OptimizerName::Rmsprop => Box::new(Rmsprop::new(groups, RmspropConfig::new(lr))),
    }
}

/// The schedule `args.lr_scheduler_type` names over `total_steps` optimizer steps, attached
/// to `opt` (HF's `get_scheduler`, taking its construction step).
pub fn create_scheduler(
    opt: &mut dyn Optimizer,
    args: &TrainingArguments,
    total_steps: usize,
) -> Box<dyn LrScheduler> {
    let warmup = args.warmup_steps_for(total_steps);
    match args.lr_scheduler_type {
        SchedulerType::Linear => {
            Box::new(get_linear_schedule_with_warmup(opt, warmup, total_steps))
        }
        SchedulerType::Cosine => Box::new(get_cosine_schedule_with_warmup(
            opt,
            warmup,
            total_steps,
            0.5,
        )),
        SchedulerType::CosineWithRestarts => Box::new(LambdaLR::new(opt, move |step| {
            cosine_with_hard_restarts(step, warmup, total_steps, 1.0)
        })),
        SchedulerType::Polynomial => {
            let lr_init = args.learning_rate;
            Box::new(LambdaLR::new(opt, move |step| {
                polynomial_decay(step, warmup, total_steps, lr_init, 1e-7, 1.0)
            }))
        }
        SchedulerType::Constant => Box::new(get_constant_schedule(opt)),
        SchedulerType::ConstantWithWarmup => {
            Box::new(get_constant_schedule_with_warmup(opt, warmup))
        }
        SchedulerType::OneCycle => {
            let mut config = OneCycleConfig::new(args.learning_rate, total_steps.max(1));
            config.max_lr = opt.lrs();
            if warmup > 0 {
                config.pct_start = (warmup as f64 / total_steps.max(1) as f64).min(1.0);
            }
            config.cycle_momentum = opt.momentum(0).is_some();
            Box::new(OneCycleLR::new(opt, config))
        }
    }
}

/// HF's `get_cosine_with_hard_restarts_schedule_with_warmup` multiplier at `step`.
fn cosine_with_hard_restarts(step: usize, warmup: usize, total: usize, cycles: f64) -> f64 {
    if step < warmup {
        return step as f64 / warmup.max(1) as f64;
    }
    let progress = (step - warmup) as f64 / total.saturating_sub(warmup).max(1) as f64;
    if progress >= 1.0 {
        return 0.0;
    }
    (0.5 * (1.0 + (PI * ((cycles * progress) % 1.0)).cos())).max(0.0)
}

/// HF's `get_polynomial_decay_schedule_with_warmup` multiplier at `step`.
fn polynomial_decay(
    step: usize,
    warmup: usize,
    total: usize,
    lr_init: f64,
    lr_end: f64,
    power: f64,
) -> f64 {
    if step < warmup {
        step as f64 / warmup.max(1) as f64
    } else if step > total {
        lr_end / lr_init
    } else {
        let decay_steps = (total - warmup) as f64;
        let remaining = 1.0 - (step - warmup) as f64 / decay_steps;
        ((lr_init - lr_end) * remaining.powf(power) + lr_end) / lr_init
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hard_restarts_warm_up_then_fall_to_zero() {
        assert_eq!(cosine_with_hard_restarts(0, 4, 20, 1.0), 0.0);
        assert_eq!(cosine_with_hard_restarts(2, 4, 20, 1.0), 0.5);
        assert_eq!(cosine_with_hard_restarts(4, 4, 20, 1.0), 1.0);
        assert!((cosine_with_hard_restarts(12, 4, 20, 1.0) - 0.5).abs() < 1e-12);
        assert_eq!(cosine_with_hard_restarts(20, 4, 20, 1.0), 0.0);
    }

    #[test]
    fn polynomial_decay_ends_at_lr_end() {
        assert_eq!(polynomial_decay(5, 10, 110, 1e-3, 1e-7, 1.0), 0.5);
        assert!(
            (polynomial_decay(60, 10, 110, 1e-3, 1e-7, 1.0) - (0.5 * (1e-3 - 1e-7) + 1e-7) / 1e-3)
                .abs()
                < 1e-12
        );
        assert!((polynomial_decay(200, 10, 110, 1e-3, 1e-7, 1.0) - 1e-4).abs() < 1e-12);
    }
}
