//! [`DistributedDataParallel`]: a module whose gradients are averaged over all ranks.

use std::ops::Deref;

use crate::error::DistributedError;
use crate::group::ProcessGroup;
use crate::reducer::{DEFAULT_BUCKET_CAP_BYTES, NoSyncGuard, Reducer, SyncStats};
use kiln_nn::Module;

/// Wraps `module` for data-parallel training (`torch.nn.parallel.DistributedDataParallel`):
/// at construction every parameter and buffer is broadcast from rank 0, so all ranks start
/// equal; during each backward pass gradients are averaged over ranks in buckets that
/// overlap the rest of backward ([`Reducer`]). Call the wrapped module's `forward` through
/// `Deref`, and [`DistributedDataParallel::synchronize`] before the optimizer step.
pub struct DistributedDataParallel<M: Module> {
    module: M,
    reducer: Reducer,
}

impl<M: Module> DistributedDataParallel<M> {
    /// Wraps `module` with PyTorch's default 25 MiB buckets.
    pub fn new(module: M, group: &'static ProcessGroup) -> Result<Self, DistributedError> {
        Self::with_bucket_cap(module, group, DEFAULT_BUCKET_CAP_BYTES)
    }

    /// Wraps `module` with buckets of `bucket_cap_bytes` (`bucket_cap_mb=` × 2²⁰).
    pub fn with_bucket_cap(
        module: M,
        group: &'static ProcessGroup,
        bucket_cap_bytes: usize,
    ) -> Result<Self, DistributedError> {
        broadcast_module(&module, group)?;
        let reducer = Reducer::new(group, module.named_parameters(), bucket_cap_bytes)?;
        Ok(DistributedDataParallel { module, reducer })
    }

    /// The wrapped module (`ddp.module`).
    pub fn module(&self) -> &M {
        &self.module
    }

    /// Unwraps the module.
    pub fn into_module(self) -> M {
        let DistributedDataParallel { module, reducer } = self;
        drop(reducer);
        module
    }

    /// Backward passes inside only accumulate locally (`with ddp.no_sync():`).
    pub fn no_sync(&self) -> NoSyncGuard<'_> {
        self.reducer.no_sync()
    }

    /// Finishes the gradient average of the last backward and reports failures (see
    /// [`Reducer::synchronize`]).
    pub fn synchronize(&self) -> Result<SyncStats, DistributedError> {
        self.reducer.synchronize()
    }

    /// The bucketing engine.
    pub fn reducer(&self) -> &Reducer {
        &self.reducer
    }
}

impl<M: Module> Deref for DistributedDataParallel<M> {
    type Target = M;

    fn deref(&self) -> &M {
        &self.module
    }
}

/// Sets every parameter and buffer of `module` to rank 0's values
/// (DDP's `_sync_module_states`).
pub fn broadcast_module<M: Module + ?Sized>(
    module: &M,
    group: &ProcessGroup,
) -> Result<(), DistributedError> {
    if group.world_size() == 1 {
        return Ok(());
    }
    for (_, var) in module
        .named_parameters()
        .into_iter()
        .chain(module.named_buffers())
    {
        var.set_value(group.broadcast(&var.value(), 0)?);
    }
    Ok(())
}
