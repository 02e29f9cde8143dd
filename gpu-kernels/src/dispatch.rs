//! Binding buffers and submitting one compute dispatch.

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::error::Result;
use crate::pipeline::Kernel;

/// Workgroup size used by the one-dimensional kernels (elementwise, casts, copies, gathers).
pub(crate) const WG_1D: u32 = 256;

impl GpuContext {
    /// Splits `groups` workgroups into an `(x, y)` grid within the per-dimension limit.
    /// Kernels recover the linear id as `(wid.y * nwg.x + wid.x)`.
    pub(crate) fn grid(&self, groups: u64) -> (u32, u32) {
        let max = u64::from(self.limits.max_compute_workgroups_per_dimension.max(1));
        let groups = groups.max(1);
        if groups <= max {
            (groups as u32, 1)
        } else {
            let y = groups.div_ceil(max);
            (groups.div_ceil(y) as u32, y as u32)
        }
    }

    /// Runs `kernel` (specialised by `consts`) over `groups` with `buffers` bound in order and
    /// `meta` uploaded as the last binding.
    pub(crate) fn run(
        &self,
        kernel: &Kernel,
        consts: &[(&str, u32)],
        buffers: &[&GpuBuffer],
        meta: &[u32],
        groups: (u32, u32, u32),
    ) -> Result<()> {
        let pipeline = self.pipeline(kernel, consts)?;
        let meta_data: Vec<u32> = if meta.is_empty() {
            vec![0]
        } else {
            meta.to_vec()
        };
        let meta_buf = self.upload(&meta_data)?;
        let mut entries: Vec<wgpu::BindGroupEntry> = buffers
            .iter()
            .enumerate()
            .map(|(i, b)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource: b.raw().as_entire_binding(),
            })
            .collect();
        entries.push(wgpu::BindGroupEntry {
            binding: buffers.len() as u32,
            resource: meta_buf.raw().as_entire_binding(),
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(kernel.entry),
            layout: &pipeline.layout,
            entries: &entries,
        });
        let mut enc = self.device.create_command_encoder(&Default::default());
        {
            let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some(kernel.entry),
                timestamp_writes: None,
            });
            pass.set_pipeline(&pipeline.pipeline);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(groups.0, groups.1, groups.2);
        }
        self.queue.submit([enc.finish()]);
        Ok(())
    }
}
