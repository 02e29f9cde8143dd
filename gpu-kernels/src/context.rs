//! [`GpuContext`]: adapter selection, device creation and the shared caches.

use std::sync::{Arc, Mutex};

use crate::error::{GpuError, Result};
use crate::pipeline::PipelineCache;
use crate::pool::{BufferPool, PoolStats, lock};

/// How to pick and open an adapter. [`GpuOptions::from_env`] fills it from the environment.
#[derive(Debug, Clone, PartialEq)]
pub struct GpuOptions {
    /// Backends to search; `None` means every backend compiled in.
    pub backends: Option<wgpu::Backends>,
    /// Adapter selector: a decimal index into the enumerated adapters, or a case-insensitive
    /// substring of the adapter name; `None` picks the best device type
    /// (discrete > integrated > virtual > CPU).
    pub adapter: Option<String>,
    /// Request `SHADER_F16` when the adapter has it (enables the native f16 kernels).
    pub enable_f16: bool,
    /// Request `SUBGROUP` when the adapter has it (enables the subgroup kernels).
    pub enable_subgroups: bool,
    /// Most bytes the buffer pool keeps parked for reuse; beyond it freed buffers are destroyed.
    pub max_cached_bytes: u64,
}

impl Default for GpuOptions {
    fn default() -> Self {
        GpuOptions {
            backends: None,
            adapter: None,
            enable_f16: true,
            enable_subgroups: true,
            max_cached_bytes: 1 << 30,
        }
    }
}

impl GpuOptions {
    /// Defaults overridden by `WGPU_BACKEND` (comma list such as `vulkan` or `metal,dx12`, wgpu's
    /// spelling) and `KILN_GPU` (adapter index or name substring).
    pub fn from_env() -> Self {
        let mut o = GpuOptions::default();
        if let Ok(s) = std::env::var("WGPU_BACKEND") {
            o.backends = Some(wgpu::Backends::from_comma_list(&s));
        }
        if let Ok(s) = std::env::var("KILN_GPU")
            && !s.trim().is_empty()
        {
            o.adapter = Some(s.trim().to_string());
        }
        o
    }
}

/// A wgpu device and queue with Kiln's buffer pool and pipeline cache.
///
/// All methods are synchronous: work is submitted eagerly to the queue, and read-back blocks
/// until it finishes. Share one context per device (e.g. in an `Arc`); it is `Send + Sync`.
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    info: wgpu::AdapterInfo,
    pub(crate) limits: wgpu::Limits,
    features: wgpu::Features,
    pub(crate) pool: BufferPool,
    pub(crate) pipelines: PipelineCache,
    uncaptured: Arc<Mutex<Option<String>>>,
}

impl GpuContext {
    /// Opens the adapter chosen by [`GpuOptions::from_env`].
    pub fn new() -> Result<Self> {
        Self::with_options(&GpuOptions::from_env())
    }

    /// Opens an adapter as `options` says.
    ///
    /// Errors: [`GpuError::NoAdapter`] naming the backends tried when nothing matches,
    /// [`GpuError::RequestDevice`] when the adapter refuses the device.
    pub fn with_options(options: &GpuOptions) -> Result<Self> {
        let compiled = wgpu::Instance::enabled_backend_features();
        let backends = options.backends.unwrap_or(compiled);
        let no_adapter = |detail: String| GpuError::NoAdapter {
            tried: backend_names(backends),
            compiled: backend_names(compiled),
            detail,
        };
        if backends.is_empty() {
            return Err(no_adapter("no backend requested".into()));
        }
        let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
        desc.backends = backends;
        let instance = wgpu::Instance::new(desc);
        let adapters = pollster::block_on(instance.enumerate_adapters(backends));
        if adapters.is_empty() {
            return Err(no_adapter("no adapter on these backends".into()));
        }
        let adapter = select_adapter(adapters, options.adapter.as_deref()).map_err(no_adapter)?;

        let mut wanted = wgpu::Features::empty();
        if options.enable_f16 {
            wanted |= wgpu::Features::SHADER_F16;
        }
        if options.enable_subgroups {
            wanted |= wgpu::Features::SUBGROUP;
        }
        let features = adapter.features() & wanted;
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("kiln"),
            required_features: features,
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::RequestDevice(e.to_string()))?;

        let uncaptured = Arc::new(Mutex::new(None::<String>));
        let sink = uncaptured.clone();
        device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
            let mut slot = lock(&sink);
            if slot.is_none() {
                *slot = Some(e.to_string());
            }
        }));
        let max_bucket = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        Ok(GpuContext {
            pool: BufferPool::new(device.clone(), max_bucket, options.max_cached_bytes),
            pipelines: PipelineCache::default(),
            device,
            queue,
            info: adapter.get_info(),
            limits,
            features,
            uncaptured,
        })
    }

    /// The adapter's name, backend, driver.
    pub fn adapter_info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    /// The limits the device was created with (the adapter's own).
    pub fn limits(&self) -> &wgpu::Limits {
        &self.limits
    }

    /// Whether native f16 kernels are available (`SHADER_F16` enabled).
    pub fn has_f16(&self) -> bool {
        self.features.contains(wgpu::Features::SHADER_F16)
    }

    /// Whether subgroup kernels are available (`SUBGROUP` enabled).
    pub fn has_subgroups(&self) -> bool {
        self.features.contains(wgpu::Features::SUBGROUP)
    }

    /// The wgpu device, for callers that add their own passes.
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Largest buffer in bytes a kernel can bind (storage binding and buffer size limits).
    pub fn max_binding_bytes(&self) -> u64 {
        self.limits
            .max_storage_buffer_binding_size
            .min(self.limits.max_buffer_size)
    }

    /// Buffer pool counters.
    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Destroys every buffer parked in the pool.
    pub fn clear_pool(&self) {
        self.pool.clear();
    }

    /// Number of compiled pipelines in the cache.
    pub fn cached_pipelines(&self) -> usize {
        self.pipelines.len()
    }

    /// Blocks until all submitted work has finished (`torch.cuda.synchronize`), then reports any
    /// error the device raised outside an error scope since the last check.
    pub fn sync(&self) -> Result<()> {
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| GpuError::Device(e.to_string()))?;
        self.check_device_error()
    }

    /// Returns (and clears) the first uncaptured device error, if any.
    pub(crate) fn check_device_error(&self) -> Result<()> {
        match lock(&self.uncaptured).take() {
            Some(m) => Err(GpuError::Device(m)),
            None => Ok(()),
        }
    }
}

impl std::fmt::Debug for GpuContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuContext")
            .field("adapter", &self.info.name)
            .field("backend", &self.info.backend)
            .field("f16", &self.has_f16())
            .field("subgroups", &self.has_subgroups())
            .finish()
    }
}

/// wgpu's names of the backends in a set.
fn backend_names(b: wgpu::Backends) -> Vec<String> {
    [
        (wgpu::Backends::VULKAN, "vulkan"),
        (wgpu::Backends::METAL, "metal"),
        (wgpu::Backends::DX12, "dx12"),
        (wgpu::Backends::GL, "gl"),
        (wgpu::Backends::BROWSER_WEBGPU, "webgpu"),
        (wgpu::Backends::NOOP, "noop"),
    ]
    .iter()
    .filter(|(flag, _)| b.contains(*flag))
    .map(|(_, name)| (*name).to_string())
    .collect()
}

/// Picks an adapter by index / name substring, or by device-type preference.
fn select_adapter(
    adapters: Vec<wgpu::Adapter>,
    selector: Option<&str>,
) -> std::result::Result<wgpu::Adapter, String> {
    let names: Vec<String> = adapters.iter().map(|a| a.get_info().name).collect();
    match selector {
        Some(sel) => {
            if let Ok(i) = sel.parse::<usize>() {
                let n = adapters.len();
                return adapters.into_iter().nth(i).ok_or_else(|| {
                    format!("KILN_GPU={i} but only {n} adapter(s) exist: {names:?}")
                });
            }
            let needle = sel.to_lowercase();
            adapters
                .into_iter()
                .find(|a| a.get_info().name.to_lowercase().contains(&needle))
                .ok_or_else(|| format!("no adapter name contains {sel:?}; adapters: {names:?}"))
        }
        None => {
            let rank = |t: wgpu::DeviceType| match t {
                wgpu::DeviceType::DiscreteGpu => 0,
                wgpu::DeviceType::IntegratedGpu => 1,
                wgpu::DeviceType::VirtualGpu => 2,
                wgpu::DeviceType::Cpu => 3,
                wgpu::DeviceType::Other => 4,
            };
            adapters
                .into_iter()
                .min_by_key(|a| rank(a.get_info().device_type))
                .ok_or_else(|| "no adapter".to_string())
        }
    }
}
