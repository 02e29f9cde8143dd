//! Where a tensor's data lives.

use std::fmt;

/// The device a tensor lives on (PyTorch's `torch.device`).
///
/// Every op dispatches on the storage's device; mixing devices in one op panics with a message
/// naming both. The GPU variant arrives with the `gpu` feature (`kiln-gpu-kernels`), which is
/// why the enum is non-exhaustive.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Device {
    /// Host memory; kernels run on the CPU with rayon above a size threshold.
    #[default]
    Cpu,
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => f.write_str("cpu"),
        }
    }
}
