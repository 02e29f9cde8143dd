//! [`Reducer`]: averages gradients across ranks in buckets while backward runs (the engine
//! inside PyTorch's `DistributedDataParallel`, `torch/csrc/distributed/c10d/reducer.cpp`).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use kiln_autograd::{HookHandle, Var};
use kiln_tensor::{DType, Device, Tensor};

use crate::buffer::Buffer;
use crate::collective::{Pending, ReduceOp};
use crate::error::DistributedError;
use crate::group::ProcessGroup;

/// PyTorch's default `bucket_cap_mb`: 25 MiB of gradients per all-reduce.
pub const DEFAULT_BUCKET_CAP_BYTES: usize = 25 * 1024 * 1024;

/// Communication figures of the last synchronised step (for logs and benchmarks).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SyncStats {
    /// Buckets all-reduced.
    pub buckets: usize,
    /// Bytes each rank sent (gradients and their has-gradient flags, as f32).
    pub bytes: usize,
    /// Wall time the all-reduces took on the communication thread, summed over buckets.
    pub comm_time: Duration,
    /// Time backward's thread waited for results after the last bucket was issued: the
    /// communication that did not overlap computation.
    pub exposed_wait: Duration,
}

/// Parameters in all-reduce order and the buckets over them.
struct Layout {
    /// The synchronised parameters, in reverse registration order (backward's order).
    params: Vec<Var>,
    /// Each bucket's range of `params`.
    buckets: Vec<std::ops::Range<usize>>,
    /// The bucket of each parameter.
    bucket_of: Vec<usize>,
}

/// Where the current backward pass stands.
#[derive(Default)]
struct Round {
    /// Parameters whose gradient of this round is final.
    ready: Vec<bool>,
    /// Parameters still missing, per bucket.
    missing: Vec<usize>,
    /// Buckets issued so far: buckets are issued strictly in order, so every rank issues
    /// the same collectives in the same order whatever order its hooks fire in.
    issued: Vec<Pending>,
    /// The round has been written back and waits for [`Reducer::synchronize`] or the next
    /// backward.
    finished: bool,
    /// The first failure of this round, reported by [`Reducer::synchronize`].
    error: Option<DistributedError>,
    stats: SyncStats,
    last_issue: Option<Instant>,
}

struct Shared {
    group: &'static ProcessGroup,
    layout: Layout,
    round: Mutex<Round>,
    /// Off inside [`Reducer::no_sync`]: gradients only accumulate locally.
    enabled: AtomicBool,
}

/// Averages the gradients of a set of parameters over all ranks of a [`ProcessGroup`]
/// during backward.
///
/// Parameters that require grad are split into buckets of about `bucket_cap_bytes`, in
/// reverse order (the order backward produces gradients in). A post-accumulate-grad hook on
/// each marks it ready; when a bucket is complete, and every bucket before it has been
/// issued, its gradients are flattened and all-reduced on the communication thread while
/// backward goes on. When the last bucket is issued the results are awaited and every
/// parameter's `.grad` becomes the mean over ranks. A parameter that got no gradient on any
/// rank keeps `None`; one that got it on some ranks counts as zero on the others.
///
/// [`Reducer::synchronize`] finishes a round in which some parameters got no gradient
/// (PyTorch's `find_unused_parameters`) and reports failures; call it before the
/// optimizer step (the Trainer does). In a group of one it does nothing: no hook is
/// registered and gradients are left as they are.
pub struct Reducer {
    shared: Arc<Shared>,
    hooks: Vec<HookHandle>,
}

impl Reducer {
    /// A reducer over the parameters of `params` that require grad, in buckets of
    /// `bucket_cap_bytes` (PyTorch's `bucket_cap_mb` × 2²⁰). Checks that every rank has the
    /// same parameter shapes.
    pub fn new(
        group: &'static ProcessGroup,
        params: Vec<(String, Var)>,
        bucket_cap_bytes: usize,
    ) -> Result<Reducer, DistributedError> {
        let trainable: Vec<(String, Var)> = params
            .into_iter()
            .filter(|(_, p)| p.requires_grad())
            .rev()
            .collect();
        check_same_shapes(group, &trainable)?;
        let params: Vec<Var> = trainable.into_iter().map(|(_, p)| p).collect();
        let layout = bucket_layout(params, bucket_cap_bytes.max(1));
        let shared = Arc::new(Shared {
            group,
            round: Mutex::new(Round::default()),
            enabled: AtomicBool::new(true),
            layout,
        });
        shared.round().reset(&shared.layout);
        if group.world_size() == 1 {
            // Nothing to average: gradients stay as backward left them.
            return Ok(Reducer {
                shared,
                hooks: Vec::new(),
            });
        }
        let hooks = shared
            .layout
            .params
            .iter()
            .enumerate()
            .map(|(index, param)| {
                let weak = Arc::downgrade(&shared);
                param.register_post_accumulate_grad_hook(move |_| {
                    if let Some(shared) = weak.upgrade() {
                        shared.mark_ready(index);
                    }
                })
            })
            .collect();
        Ok(Reducer { shared, hooks })
    }

    /// Number of buckets.
    pub fn num_buckets(&self) -> usize {
        self.shared.layout.buckets.len()
    }

    /// The size of each bucket in gradient elements, in the order buckets are issued.
    pub fn bucket_sizes(&self) -> Vec<usize> {
        let layout = &self.shared.layout;
        layout
            .buckets
            .iter()
            .map(|range| layout.params[range.clone()].iter().map(numel).sum())
            .collect()
    }

    /// Turns gradient synchronisation off until the guard drops (`with ddp.no_sync():`):
    /// backward passes inside only accumulate gradients locally; the first one after
    /// communicates the accumulated sum.
    pub fn no_sync(&self) -> NoSyncGuard<'_> {
        let was = self.shared.enabled.swap(false, Ordering::SeqCst);
        NoSyncGuard {
            reducer: self,
            restore: was,
        }
    }

    /// Whether backward passes synchronise gradients now.
    pub fn sync_enabled(&self) -> bool {
        self.shared.enabled.load(Ordering::SeqCst)
    }

    /// Finishes the current round: issues the buckets whose parameters got no gradient,
    /// waits for every all-reduce and writes the averages back; returns the round's
    /// communication figures, or its first failure. A no-op (returning the last figures)
    /// when the round already finished or no backward ran since.
    pub fn synchronize(&self) -> Result<SyncStats, DistributedError> {
        let mut round = self.shared.round();
        if !round.finished && round.ready.iter().any(|&r| r) {
            let buckets = self.shared.layout.buckets.len();
            while round.issued.len() < buckets {
                self.shared.issue_next(&mut round);
            }
            self.shared.write_back(&mut round);
        }
        let result = match round.error.take() {
            Some(error) => Err(error),
            None => Ok(round.stats),
        };
        let stats = round.stats;
        round.reset(&self.shared.layout);
        round.stats = stats;
        result
    }
}

impl Drop for Reducer {
    fn drop(&mut self) {
        for hook in self.hooks.drain(..) {
            hook.remove();
        }
    }
}

/// Re-enables synchronisation when dropped (see [`Reducer::no_sync`]).
pub struct NoSyncGuard<'a> {
    reducer: &'a Reducer,
    restore: bool,
}

impl Drop for NoSyncGuard<'_> {
    fn drop(&mut self) {
        self.reducer
            .shared
            .enabled
            .store(self.restore, Ordering::SeqCst);
    }
}

impl Round {
    fn reset(&mut self, layout: &Layout) {
        *self = Round {
            ready: vec![false; layout.params.len()],
            missing: layout.buckets.iter().map(|r| r.len()).collect(),
            ..Round::default()
        };
    }
}

impl Shared {
    fn round(&self) -> MutexGuard<'_, Round> {
        self.round.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The hook: parameter `index` has its final gradient of this backward pass.
    fn mark_ready(&self, index: usize) {
        if !self.enabled.load(Ordering::SeqCst) {
            return;
        }
        let mut round = self.round();
        if round.finished {
            // A new backward pass after a round nobody synchronised.
            round.reset(&self.layout);
        }
        if round.ready[index] {
            round
                .error
                .get_or_insert(DistributedError::Mismatch(format!(
                    "parameter {index} (in backward order) was marked ready twice in one backward \
                 pass; a parameter used by two checkpointed segments cannot be bucketed"
                )));
            return;
        }
        round.ready[index] = true;
        round.missing[self.layout.bucket_of[index]] -= 1;
        while round.issued.len() < self.layout.buckets.len()
            && round.missing[round.issued.len()] == 0
        {
            self.issue_next(&mut round);
        }
        if round.issued.len() == self.layout.buckets.len() {
            self.write_back(&mut round);
        }
    }

    /// Flattens the next bucket's gradients (zeros where missing) followed by one
    /// has-gradient flag per parameter, and starts their all-reduce.
    fn issue_next(&self, round: &mut Round) {
        let range = self.layout.buckets[round.issued.len()].clone();
        let params = &self.layout.params[range];
        let total: usize = params.iter().map(numel).sum();
        let mut flat = Vec::with_capacity(total + params.len());
        let mut flags = Vec::with_capacity(params.len());
        for param in params {
            match param.grad() {
                Some(grad) => {
                    match grad.as_slice::<f32>() {
                        Some(values) => flat.extend_from_slice(values),
                        None => flat.extend(grad.to_vec::<f32>()),
                    }
                    flags.push(1.0);
                }
                None => {
                    flat.resize(flat.len() + numel(param), 0.0);
                    flags.push(0.0);
                }
            }
        }
        flat.extend(flags);
        round.stats.bytes += flat.len() * 4;
        round.stats.buckets += 1;
        let pending = self
            .group
            .all_reduce_async(Buffer::F32(flat), ReduceOp::Sum);
        round.issued.push(pending);
        round.last_issue = Some(Instant::now());
    }

    /// Waits for every issued bucket and sets each parameter's gradient to the mean: views
    /// into the bucket's result, without copying, for f32 CPU parameters.
    fn write_back(&self, round: &mut Round) {
        let world = self.group.world_size() as f32;
        let waited = Instant::now();
        let issued = std::mem::take(&mut round.issued);
        for (bucket, pending) in issued.into_iter().enumerate() {
            let done = match self.group.finish(pending) {
                Ok(done) => done,
                Err(error) => {
                    round.error.get_or_insert(error);
                    continue;
                }
            };
            round.stats.comm_time += done.comm_time;
            let Buffer::F32(mut sums) = done.data else {
                round.error.get_or_insert(DistributedError::Mismatch(
                    "a gradient bucket came back with another dtype".into(),
                ));
                continue;
            };
            let params = &self.layout.params[self.layout.buckets[bucket].clone()];
            let total: usize = params.iter().map(numel).sum();
            if sums.len() != total + params.len() {
                round
                    .error
                    .get_or_insert(DistributedError::Mismatch(format!(
                        "gradient bucket {bucket} has {} elements here and {} after all-reduce",
                        total + params.len(),
                        sums.len()
                    )));
                continue;
            }
            let flags = sums.split_off(total);
            sums.iter_mut().for_each(|s| *s /= world);
            let means = Tensor::from_vec(sums, [total]);
            let mut at = 0;
            for (param, &flag) in params.iter().zip(&flags) {
                let n = numel(param);
                if flag > 0.0 {
                    let value = param.value();
                    let mut grad = means.narrow(0usize, at, n).reshape_to(value.dims());
                    if value.dtype() != DType::F32 {
                        grad = grad.to_dtype(value.dtype());
                    }
                    if value.device() != Device::Cpu {
                        grad = grad.to_device(&value.device());
                    }
                    param.set_grad(Some(grad));
                }
                at += n;
            }
        }
        round.stats.exposed_wait += waited.elapsed();
        round.finished = true;
    }
}

fn numel(param: &Var) -> usize {
    param.dims().iter().product()
}

/// Buckets of consecutive parameters holding at most `cap` bytes of f32 gradients (a
/// larger parameter gets a bucket of its own).
fn bucket_layout(params: Vec<Var>, cap: usize) -> Layout {
    let mut buckets = Vec::new();
    let mut bucket_of = Vec::with_capacity(params.len());
    let (mut start, mut bytes) = (0, 0);
    for (i, param) in params.iter().enumerate() {
        let size = numel(param) * 4;
        if i > start && bytes + size > cap {
            buckets.push(start..i);
            (start, bytes) = (i, 0);
        }
        bytes += size;
        bucket_of.push(buckets.len());
    }
    if start < params.len() {
        buckets.push(start..params.len());
    }
    Layout {
        params,
        buckets,
        bucket_of,
    }
}

/// Fails unless every rank has the same number of parameters with the same sizes: a
/// mismatch would otherwise reduce unrelated gradients into each other.
fn check_same_shapes(
    group: &ProcessGroup,
    params: &[(String, Var)],
) -> Result<(), DistributedError> {
    let mut signature: Vec<i64> = vec![params.len() as i64];
    for (_, p) in params {
        let dims = p.dims();
        signature.push(dims.len() as i64);
        signature.extend(dims.iter().map(|&d| d as i64));
    }
    let here = Tensor::from_vec(signature.clone(), [signature.len()]);
    let gathered = group.all_gather(&here)?;
    for (rank, theirs) in gathered.iter().enumerate() {
        if theirs.to_vec::<i64>() != signature {
            return Err(DistributedError::Mismatch(format!(
                "rank {rank} has other parameters than rank {} (count or shapes differ)",
                group.rank()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(n: usize) -> Var {
        Var::parameter(Tensor::zeros([n]))
    }

    #[test]
    fn buckets_respect_the_cap_and_keep_big_parameters_alone() {
        let layout = bucket_layout(vec![param(2), param(2), param(10), param(1)], 16);
        assert_eq!(layout.buckets, [0..2, 2..3, 3..4]);
        assert_eq!(layout.bucket_of, [0, 0, 1, 2]);
    }
}
