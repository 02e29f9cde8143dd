//! Settings of max and average pooling, with PyTorch's defaults and argument names.

/// Settings of a 2-D pooling window (`F.max_pool2d` / `F.avg_pool2d`), `[height, width]` pairs.
///
/// Defaults equal PyTorch's: stride = kernel size, padding 0, dilation 1, `ceil_mode=False`,
/// `count_include_pad=True`. `dilation` applies to max pooling only (PyTorch's `avg_pool2d` has
/// none; average pooling panics unless it is 1); `count_include_pad` applies to average pooling
/// only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool2dOptions {
    /// Window size (`kernel_size`).
    pub kernel: [usize; 2],
    /// Step between windows (`stride`; PyTorch's `None` means the kernel size).
    pub stride: [usize; 2],
    /// Implicit padding on both sides (`padding`): `-inf` for max, zeros for average pooling.
    /// At most half the (dilated) kernel, as PyTorch requires.
    pub padding: [usize; 2],
    /// Spacing between window taps (`dilation`, max pooling only).
    pub dilation: [usize; 2],
    /// Rounds the output size up instead of down (`ceil_mode`).
    pub ceil_mode: bool,
    /// Average pooling divides by the full window, zeros of the padding included
    /// (`count_include_pad`), rather than by the number of real elements.
    pub count_include_pad: bool,
}

impl Pool2dOptions {
    /// A `kernel`-sized window with PyTorch's defaults (stride = kernel).
    pub fn new(kernel: [usize; 2]) -> Self {
        Pool2dOptions {
            kernel,
            stride: kernel,
            padding: [0, 0],
            dilation: [1, 1],
            ceil_mode: false,
            count_include_pad: true,
        }
    }
    /// Sets the stride.
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }
    /// Sets the padding.
    pub fn padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }
    /// Sets the dilation (max pooling only).
    pub fn dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }
    /// Sets `ceil_mode`.
    pub fn ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.ceil_mode = ceil_mode;
        self
    }
    /// Sets `count_include_pad` (average pooling only).
    pub fn count_include_pad(mut self, count_include_pad: bool) -> Self {
        self.count_include_pad = count_include_pad;
        self
    }
}

/// Settings of a 1-D pooling window (`F.max_pool1d` / `F.avg_pool1d`), with the same defaults
/// as [`Pool2dOptions`]; runs as a 2-D pooling over a height of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pool1dOptions {
    /// Window size (`kernel_size`).
    pub kernel: usize,
    /// Step between windows (`stride`, default the kernel size).
    pub stride: usize,
    /// Implicit padding on both ends (`padding`).
    pub padding: usize,
    /// Spacing between window taps (`dilation`, max pooling only).
    pub dilation: usize,
    /// Rounds the output size up (`ceil_mode`).
    pub ceil_mode: bool,
    /// Average pooling counts padding zeros in the divisor (`count_include_pad`).
    pub count_include_pad: bool,
}

impl Pool1dOptions {
    /// A `kernel`-long window with PyTorch's defaults (stride = kernel).
    pub fn new(kernel: usize) -> Self {
        Pool1dOptions {
            kernel,
            stride: kernel,
            padding: 0,
            dilation: 1,
            ceil_mode: false,
            count_include_pad: true,
        }
    }
    /// Sets the stride.
    pub fn stride(mut self, stride: usize) -> Self {
        self.stride = stride;
        self
    }
    /// Sets the padding.
    pub fn padding(mut self, padding: usize) -> Self {
        self.padding = padding;
        self
    }
    /// Sets the dilation (max pooling only).
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.dilation = dilation;
        self
    }
    /// Sets `ceil_mode`.
    pub fn ceil_mode(mut self, ceil_mode: bool) -> Self {
        self.ceil_mode = ceil_mode;
        self
    }
    /// Sets `count_include_pad` (average pooling only).
    pub fn count_include_pad(mut self, count_include_pad: bool) -> Self {
        self.count_include_pad = count_include_pad;
        self
    }
    /// The same pooling over `[N, C, 1, L]`: a window of height one.
    pub fn to_2d(self) -> Pool2dOptions {
        Pool2dOptions {
            kernel: [1, self.kernel],
            stride: [1, self.stride],
            padding: [0, self.padding],
            dilation: [1, self.dilation],
            ceil_mode: self.ceil_mode,
            count_include_pad: self.count_include_pad,
        }
    }
}
