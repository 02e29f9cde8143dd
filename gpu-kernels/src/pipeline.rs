//! Pipeline cache and error-scoped shader compilation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::context::GpuContext;
use crate::error::{GpuError, Result};
use crate::pool::lock;

/// How a kernel binding is accessed; the binding index is the position in [`Kernel::bindings`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// `var<storage, read>`.
    Read,
    /// `var<storage, read_write>`.
    ReadWrite,
}

/// A compute entry point in one of the crate's WGSL files.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Kernel {
    /// Family (file) name, e.g. `"softmax"`.
    pub family: &'static str,
    /// Entry point name.
    pub entry: &'static str,
    /// WGSL text (from `include_str!`): the family's file, optionally followed by shared helpers.
    pub source: &'static [&'static str],
    /// Bindings of group 0 in order.
    pub bindings: &'static [Access],
}

/// A compiled pipeline with its bind group layout.
pub(crate) struct CachedPipeline {
    pub pipeline: wgpu::ComputePipeline,
    pub layout: wgpu::BindGroupLayout,
}

/// Compiled pipelines keyed by kernel and specialisation constants.
#[derive(Default)]
pub(crate) struct PipelineCache {
    map: Mutex<HashMap<String, Arc<CachedPipeline>>>,
}

impl PipelineCache {
    pub(crate) fn len(&self) -> usize {
        lock(&self.map).len()
    }
}

/// Puts `const NAME: u32 = V;` lines after the leading `enable` directives of `source`.
fn specialise(source: &str, consts: &[(&str, u32)]) -> String {
    let mut head = String::new();
    let mut body = String::new();
    let mut in_head = true;
    for line in source.lines() {
        let t = line.trim_start();
        if in_head && (t.starts_with("enable ") || t.starts_with("//") || t.is_empty()) {
            head.push_str(line);
        } else {
            in_head = false;
            body.push_str(line);
        }
        if in_head {
            head.push('\n');
        } else {
            body.push('\n');
        }
    }
    for (name, value) in consts {
        head.push_str(&format!("const {name}: u32 = {value}u;\n"));
    }
    head + &body
}

impl GpuContext {
    /// The pipeline for `kernel` specialised with `consts`, compiled on first use.
    pub(crate) fn pipeline(
        &self,
        kernel: &Kernel,
        consts: &[(&str, u32)],
    ) -> Result<Arc<CachedPipeline>> {
        let mut key = format!("{}/{}", kernel.family, kernel.entry);
        for (n, v) in consts {
            key.push_str(&format!(";{n}={v}"));
        }
        if let Some(p) = lock(&self.pipelines.map).get(&key) {
            return Ok(p.clone());
        }
        let source = specialise(&kernel.source.concat(), consts);
        let entries: Vec<wgpu::BindGroupLayoutEntry> = kernel
            .bindings
            .iter()
            .enumerate()
            .map(|(i, a)| wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty: wgpu::BufferBindingType::Storage {
                        read_only: *a == Access::Read,
                    },
                    has_dynamic_offset: false,
                    min_binding_size: None,
                },
                count: None,
            })
            .collect();
        let layout = self
            .device
            .create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(&key),
                entries: &entries,
            });
        let pipeline_layout = self
            .device
            .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(&key),
                bind_group_layouts: &[Some(&layout)],
                immediate_size: 0,
            });
        let pipeline =
            self.compile_with_layout(&key, &source, kernel.entry, Some(&pipeline_layout))?;
        let cached = Arc::new(CachedPipeline { pipeline, layout });
        lock(&self.pipelines.map).insert(key, cached.clone());
        Ok(cached)
    }

    /// Compiles WGSL `source` and builds a compute pipeline for `entry` with an automatic
    /// layout, inside validation and out-of-memory error scopes.
    ///
    /// Invalid WGSL or an invalid pipeline gives [`GpuError::ShaderCompile`], never a panic.
    /// This is the hook for callers who bring their own kernels.
    pub fn compile_wgsl(
        &self,
        label: &str,
        source: &str,
        entry: &str,
    ) -> Result<wgpu::ComputePipeline> {
        self.compile_with_layout(label, source, entry, None)
    }

    fn compile_with_layout(
        &self,
        label: &str,
        source: &str,
        entry: &str,
        layout: Option<&wgpu::PipelineLayout>,
    ) -> Result<wgpu::ComputePipeline> {
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some(label),
                source: wgpu::ShaderSource::Wgsl(source.into()),
            });
        let pipeline = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                label: Some(label),
                layout,
                module: &module,
                entry_point: Some(entry),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: &[],
                    // Every kernel initialises the workgroup memory it reads.
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            });
        let validation_error = pollster::block_on(validation.pop());
        let oom_error = pollster::block_on(oom.pop());
        match validation_error.or(oom_error) {
            Some(e) => Err(GpuError::ShaderCompile {
                kernel: label.to_string(),
                message: e.to_string(),
            }),
            None => Ok(pipeline),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::specialise;

    #[test]
    fn constants_go_after_enable_directives() {
        let s = specialise("enable f16;\n\nfn f() {}\n", &[("WG", 64)]);
        assert_eq!(s, "enable f16;\n\nconst WG: u32 = 64u;\nfn f() {}\n");
    }
}
