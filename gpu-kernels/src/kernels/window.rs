//! The sliding-window geometry shared by the convolution and pooling kernels.

use crate::buffer::GpuBuffer;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};

/// A 2-D sliding window over `[batch, channels, height, width]` row-major f32 images (a
/// pooling passes `channels = 1` and every `(n, c)` plane as one image); every size in
/// elements. Mirrors the arguments of PyTorch's `F.conv2d` / `F.max_pool2d`
/// (`kernel_size`, `stride`, `padding`, `dilation`) with the output size already worked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window2d {
    /// Images `N` (for a pooling: planes `N·C`).
    pub batch: usize,
    /// Channels `C` per image (1 for a pooling).
    pub channels: usize,
    /// Input `[H, W]`.
    pub input: [usize; 2],
    /// Output `[OH, OW]` (window positions per dim).
    pub output: [usize; 2],
    /// Kernel `[kh, kw]` (taps per dim).
    pub kernel: [usize; 2],
    /// Step between window positions `[sh, sw]`.
    pub stride: [usize; 2],
    /// Implicit padding on both sides `[ph, pw]`.
    pub padding: [usize; 2],
    /// Spacing between taps `[dh, dw]`.
    pub dilation: [usize; 2],
}

impl Window2d {
    /// Elements of the input (`N·C·H·W`).
    pub fn input_len(&self) -> usize {
        self.batch * self.channels * self.input[0] * self.input[1]
    }

    /// Output positions per plane (`OH·OW`).
    pub fn out_len(&self) -> usize {
        self.output[0] * self.output[1]
    }

    /// Checks that every step is positive and that all coordinates the kernels compute fit
    /// in 32 bits.
    pub(crate) fn check(&self, op: &'static str) -> Result<()> {
        let steps = [self.kernel, self.stride, self.dilation];
        if steps.iter().flatten().any(|&v| v == 0) {
            return Err(invalid(
                op,
                format!("kernel, stride and dilation must be positive: {self:?}"),
            ));
        }
        // The largest padded coordinate any kernel forms, and the largest element count.
        let reach = (0..2)
            .map(|a| {
                let last_out = self.output[a].saturating_sub(1);
                let last_tap = self.kernel[a] - 1;
                (last_out as u128) * (self.stride[a] as u128)
                    + (last_tap as u128) * (self.dilation[a] as u128)
                    + 2 * (self.padding[a] as u128)
                    + (self.input[a] as u128)
            })
            .max()
            .unwrap_or(0);
        let taps = (self.kernel[0] * self.kernel[1]) as u128;
        let planes = (self.batch as u128) * (self.channels as u128);
        let elements = planes
            * taps.max(1)
            * (self.out_len() as u128).max((self.input[0] * self.input[1]) as u128);
        if reach > u128::from(u32::MAX) || elements > u128::from(u32::MAX) {
            return Err(invalid(
                op,
                format!("window too large for 32-bit indexing: {self:?}"),
            ));
        }
        Ok(())
    }

    /// The 14 parameters every window kernel reads first: `[N, C, H, W, OH, OW, kh, kw, sh,
    /// sw, ph, pw, dh, dw]`.
    pub(crate) fn encode(&self) -> Vec<u32> {
        [
            [self.batch, self.channels],
            self.input,
            self.output,
            self.kernel,
            self.stride,
            self.padding,
            self.dilation,
        ]
        .iter()
        .flatten()
        .map(|&v| v as u32)
        .collect()
    }
}

/// Checks that `buf` holds f32 elements and at least `len` of them.
pub(crate) fn check_f32(op: &'static str, buf: &GpuBuffer, len: usize, what: &str) -> Result<()> {
    if buf.dtype() != DType::F32 {
        return Err(GpuError::DTypeMismatch {
            op,
            expected: DType::F32,
            found: buf.dtype(),
        });
    }
    if buf.len() < len {
        return Err(invalid(
            op,
            format!(
                "{what} holds {} elements, the window needs {len}",
                buf.len()
            ),
        ));
    }
    Ok(())
}
