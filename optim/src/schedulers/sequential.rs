//! `SequentialLR`: run schedules one after another (warmup, then decay).

use crate::optimizer::Optimizer;
use crate::schedulers::base::LrScheduler;

/// `torch.optim.lr_scheduler.SequentialLR`: runs `schedulers[0]` until the first milestone,
/// then `schedulers[1]` restarted at its epoch 0, and so on.
///
/// Build the child schedules on the same optimizer first (each takes its construction step, as
/// in PyTorch); construction then restores every group's `initial_lr`, rewinds the children
/// and repeats the first one's construction step.
pub struct SequentialLR {
    schedulers: Vec<Box<dyn LrScheduler>>,
    milestones: Vec<i64>,
    last_epoch: i64,
    last_lr: Vec<f64>,
}

impl SequentialLR {
    /// Composes `schedulers` switching at `milestones` (global step counts). Panics, as
    /// PyTorch raises, unless there is exactly one milestone fewer than schedulers and the
    /// milestones are increasing.
    pub fn new(
        opt: &mut dyn Optimizer,
        mut schedulers: Vec<Box<dyn LrScheduler>>,
        milestones: Vec<usize>,
    ) -> Self {
        assert!(
            !schedulers.is_empty(),
            "SequentialLR: expects at least one scheduler"
        );
        assert_eq!(
            milestones.len() + 1,
            schedulers.len(),
            "SequentialLR: expects number of schedulers provided to be one more than the number of milestone points"
        );
        assert!(
            milestones.windows(2).all(|w| w[0] < w[1]),
            "SequentialLR: milestones must be increasing"
        );
        for g in 0..opt.num_param_groups() {
            if let Some(lr) = opt.initial_lr(g) {
                opt.set_lr(g, lr);
            }
        }
        for s in &mut schedulers {
            s.rewind();
        }
        schedulers[0].initial_step(opt);
        let last_lr = schedulers[0].get_last_lr();
        SequentialLR {
            schedulers,
            milestones: milestones.into_iter().map(|m| m as i64).collect(),
            last_epoch: 0,
            last_lr,
        }
    }
}

impl LrScheduler for SequentialLR {
    fn step(&mut self, opt: &mut dyn Optimizer) {
        self.last_epoch += 1;
        let idx = self.milestones.partition_point(|&m| m <= self.last_epoch);
        let sched = &mut self.schedulers[idx];
        if idx > 0 && self.milestones[idx - 1] == self.last_epoch {
            sched.step_to(opt, 0);
        } else {
            sched.step(opt);
        }
        self.last_lr = sched.get_last_lr();
    }

    fn get_last_lr(&self) -> Vec<f64> {
        self.last_lr.clone()
    }

    fn last_epoch(&self) -> i64 {
        self.last_epoch
    }

    fn step_to(&mut self, opt: &mut dyn Optimizer, epoch: i64) {
        // The child active at `epoch`, placed at the matching step of its own schedule.
        let idx = self.milestones.partition_point(|&m| m <= epoch);
        let start = if idx > 0 { self.milestones[idx - 1] } else { 0 };
        self.schedulers[idx].step_to(opt, epoch - start);
        self.last_epoch = epoch;
        self.last_lr = self.schedulers[idx].get_last_lr();
    }

    fn rewind(&mut self) {
        for s in &mut self.schedulers {
            s.rewind();
        }
    }

    fn initial_step(&mut self, opt: &mut dyn Optimizer) {
        self.schedulers[0].initial_step(opt);
        self.last_lr = self.schedulers[0].get_last_lr();
    }
}
