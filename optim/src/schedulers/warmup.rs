//! Hugging Face's warmup schedules (`transformers.get_*_schedule*`), built on [`LambdaLR`].
//!
//! All take the step counts in optimizer steps (batches), as in `transformers`.

use std::f64::consts::PI;

use crate::optimizer::Optimizer;
use crate::schedulers::lambda::LambdaLR;

/// Linear warmup from 0 over `num_warmup_steps`, the fraction `step / max(1, warmup)`.
fn warmup_fraction(step: usize, num_warmup_steps: usize) -> f64 {
    step as f64 / num_warmup_steps.max(1) as f64
}

/// `transformers.get_constant_schedule`: the lr stays at its initial value.
pub fn get_constant_schedule(opt: &mut dyn Optimizer) -> LambdaLR {
    LambdaLR::new(opt, |_| 1.0)
}

/// `transformers.get_constant_schedule_with_warmup`: linear warmup from 0 over
/// `num_warmup_steps`, then constant.
pub fn get_constant_schedule_with_warmup(
    opt: &mut dyn Optimizer,
    num_warmup_steps: usize,
) -> LambdaLR {
    LambdaLR::new(opt, move |step| {
        if step < num_warmup_steps {
            warmup_fraction(step, num_warmup_steps)
        } else {
            1.0
        }
    })
}

/// `transformers.get_linear_schedule_with_warmup`: linear warmup from 0 over
/// `num_warmup_steps`, then linear decay to 0 at `num_training_steps`.
pub fn get_linear_schedule_with_warmup(
    opt: &mut dyn Optimizer,
    num_warmup_steps: usize,
    num_training_steps: usize,
) -> LambdaLR {
    LambdaLR::new(opt, move |step| {
        if step < num_warmup_steps {
            return warmup_fraction(step, num_warmup_steps);
        }
        let left = num_training_steps as f64 - step as f64;
        let span = num_training_steps.saturating_sub(num_warmup_steps).max(1) as f64;
        (left / span).max(0.0)
    })
}

/// `transformers.get_cosine_schedule_with_warmup`: linear warmup from 0 over
/// `num_warmup_steps`, then a cosine from the initial lr down over `num_cycles` periods
/// (0.5, Hugging Face's default, is a half cosine ending at 0 at `num_training_steps`).
pub fn get_cosine_schedule_with_warmup(
    opt: &mut dyn Optimizer,
    num_warmup_steps: usize,
    num_training_steps: usize,
    num_cycles: f64,
) -> LambdaLR {
    LambdaLR::new(opt, move |step| {
        if step < num_warmup_steps {
            return warmup_fraction(step, num_warmup_steps);
        }
        let span = num_training_steps.saturating_sub(num_warmup_steps).max(1) as f64;
        let progress = (step - num_warmup_steps) as f64 / span;
        (0.5 * (1.0 + (PI * num_cycles * 2.0 * progress).cos())).max(0.0)
    })
}
