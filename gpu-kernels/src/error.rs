//! The crate's error type.

use std::fmt;

/// Everything that can go wrong when talking to the GPU.
///
/// Kernels never panic on device problems: adapter discovery, shader compilation, oversize
/// buffers, mapping failures and validation errors raised by wgpu all end up here.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuError {
    /// No adapter was found. `tried` names the backends that were asked for (e.g. `"vulkan"`),
    /// `compiled` the backends this build of wgpu supports on this platform.
    NoAdapter {
        /// Backends that were searched, in wgpu's spelling.
        tried: Vec<String>,
        /// Backends compiled into this binary for this platform.
        compiled: Vec<String>,
        /// Why nothing matched (e.g. the `KILN_GPU` selector found no such adapter).
        detail: String,
    },
    /// The adapter refused to create a device.
    RequestDevice(String),
    /// A WGSL module or compute pipeline failed validation.
    ShaderCompile {
        /// Kernel label (`family/entry`).
        kernel: String,
        /// The validation message from naga / wgpu.
        message: String,
    },
    /// A buffer would exceed what one storage binding or one buffer may hold on this adapter.
    BufferTooLarge {
        /// Bytes requested.
        requested: u64,
        /// The adapter's limit in bytes (`max_storage_buffer_binding_size` / `max_buffer_size`).
        limit: u64,
    },
    /// A buffer has the wrong element type for the operation.
    DTypeMismatch {
        /// Operation name.
        op: &'static str,
        /// Expected element type.
        expected: crate::DType,
        /// Element type found.
        found: crate::DType,
    },
    /// Arguments that do not fit together (shapes, strides, lengths out of range).
    InvalidArgument {
        /// Operation name.
        op: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The operation needs a device feature the adapter does not offer (e.g. `SHADER_F16`).
    MissingFeature {
        /// Operation name.
        op: &'static str,
        /// The wgpu feature name.
        feature: &'static str,
    },
    /// Mapping a staging buffer for read-back failed.
    Map(String),
    /// The device reported an error outside any error scope (validation, out of memory, lost).
    Device(String),
}

impl fmt::Display for GpuError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GpuError::NoAdapter {
                tried,
                compiled,
                detail,
            } => write!(
                f,
                "no GPU adapter found (backends tried: [{}]; compiled in: [{}]): {detail}",
                tried.join(", "),
                compiled.join(", ")
            ),
            GpuError::RequestDevice(m) => write!(f, "the adapter refused to create a device: {m}"),
            GpuError::ShaderCompile { kernel, message } => {
                write!(f, "kernel `{kernel}` failed to compile: {message}")
            }
            GpuError::BufferTooLarge { requested, limit } => write!(
                f,
                "buffer of {requested} bytes exceeds this adapter's storage binding limit of {limit} bytes"
            ),
            GpuError::DTypeMismatch {
                op,
                expected,
                found,
            } => write!(f, "{op}: expected a {expected:?} buffer, found {found:?}"),
            GpuError::InvalidArgument { op, message } => write!(f, "{op}: {message}"),
            GpuError::MissingFeature { op, feature } => {
                write!(
                    f,
                    "{op} needs the adapter feature {feature}, which it lacks"
                )
            }
            GpuError::Map(m) => write!(f, "mapping a read-back buffer failed: {m}"),
            GpuError::Device(m) => write!(f, "GPU device error: {m}"),
        }
    }
}

impl std::error::Error for GpuError {}

/// Shorthand for `Result<T, GpuError>`.
pub type Result<T> = std::result::Result<T, GpuError>;

/// Builds an [`GpuError::InvalidArgument`].
pub(crate) fn invalid(op: &'static str, message: impl Into<String>) -> GpuError {
    GpuError::InvalidArgument {
        op,
        message: message.into(),
    }
}
