//! Where a tensor's data lives.

use std::fmt;

/// The device a tensor lives on (PyTorch's `torch.device`).
///
/// Every op dispatches on the storage's device; mixing devices in one op panics with a message
/// naming both. The GPU variant exists with the `gpu` feature (`kiln-gpu-kernels`), which is
/// why the enum is non-exhaustive.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Device {
    /// Host memory; kernels run on the CPU with rayon above a size threshold.
    #[default]
    Cpu,
    /// A wgpu adapter, by ordinal (PyTorch's `cuda:N`; Kiln prints it `gpu:N`). Ordinal 0 is
    /// the adapter [`kiln_gpu_kernels::GpuContext::new`] picks (honouring `WGPU_BACKEND` and
    /// `KILN_GPU`); ordinal `N > 0` is the `N`-th adapter of the enumeration. Its context is
    /// opened once per process on first use and shared by every tensor on it.
    #[cfg(feature = "gpu")]
    Gpu(usize),
}

impl Device {
    /// The GPU with `ordinal` (`torch.device("cuda", ordinal)`), without opening it; the first
    /// transfer opens it and panics if there is no such adapter. See [`Device::try_gpu`].
    #[cfg(feature = "gpu")]
    pub fn gpu(ordinal: usize) -> Device {
        Device::Gpu(ordinal)
    }

    /// Opens the GPU with `ordinal` now (`torch.cuda.is_available()` plus `torch.device`),
    /// returning the typed error (no adapter, naming the backends tried; device refused)
    /// instead of panicking later.
    #[cfg(feature = "gpu")]
    pub fn try_gpu(ordinal: usize) -> Result<Device, kiln_gpu_kernels::GpuError> {
        crate::gpu::context::context(ordinal).map(|_| Device::Gpu(ordinal))
    }

    /// True for [`Device::Cpu`].
    pub fn is_cpu(&self) -> bool {
        matches!(self, Device::Cpu)
    }
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
            #[cfg(feature = "gpu")]
            Device::Gpu(n) => write!(f, "gpu:{n}"),
        }
    }
}
