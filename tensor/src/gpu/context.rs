//! One lazily opened [`GpuContext`] per device ordinal, shared by every tensor on it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use kiln_gpu_kernels::{GpuContext, GpuError, GpuOptions, wgpu};

/// An open adapter plus the pipelines kiln-tensor compiles itself (the dtype conversions).
pub(crate) struct Gpu {
    /// The device, queue, buffer pool and kernel pipeline cache.
    pub(crate) ctx: GpuContext,
    /// The ordinal the device was opened for (`Device::Gpu(ordinal)`).
    pub(crate) ordinal: usize,
    /// The integer ↔ float conversion pipeline, compiled on first use.
    pub(crate) convert: OnceLock<wgpu::ComputePipeline>,
}

type Registry = Mutex<HashMap<usize, Arc<Gpu>>>;

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The context of `Device::Gpu(ordinal)`, opening it on first use. Ordinal 0 takes the adapter
/// chosen by `WGPU_BACKEND` / `KILN_GPU` (see [`GpuOptions::from_env`]); ordinal `n > 0` takes
/// the `n`-th enumerated adapter of those backends. A failed open is not cached.
pub(crate) fn context(ordinal: usize) -> Result<Arc<Gpu>, GpuError> {
    let mut map = registry().lock().unwrap_or_else(|e| e.into_inner());
    if let Some(gpu) = map.get(&ordinal) {
        return Ok(Arc::clone(gpu));
    }
    let mut options = GpuOptions::from_env();
    if ordinal > 0 {
        options.adapter = Some(ordinal.to_string());
    }
    let gpu = Arc::new(Gpu {
        ctx: GpuContext::with_options(&options)?,
        ordinal,
        convert: OnceLock::new(),
    });
    map.insert(ordinal, Arc::clone(&gpu));
    Ok(gpu)
}

/// [`context`], panicking with the typed error's message (for `to_device`).
pub(crate) fn expect_context(ordinal: usize) -> Arc<Gpu> {
    context(ordinal).unwrap_or_else(|e| panic!("to_device: cannot open gpu:{ordinal}: {e}"))
}
