//! Shapes of sliding windows: where each window of a convolution or pooling starts and how many
//! there are.

/// A 2-D sliding window over `[planes, height, width]` inputs, every size in elements.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window {
    /// Batch size `N`.
    pub batch: usize,
    /// Channels `C`.
    pub channels: usize,
    /// Input `[H, W]`.
    pub input: [usize; 2],
    /// Output `[OH, OW]`.
    pub output: [usize; 2],
    /// Kernel `[kh, kw]`.
    pub kernel: [usize; 2],
    /// Stride `[sh, sw]`.
    pub stride: [usize; 2],
    /// Padding `[ph, pw]`.
    pub padding: [usize; 2],
    /// Dilation `[dh, dw]`.
    pub dilation: [usize; 2],
}

impl Window {
    /// Output positions per plane (`OH·OW`).
    pub fn out_len(&self) -> usize {
        self.output[0] * self.output[1]
    }

    /// Input elements per plane (`H·W`).
    pub fn in_len(&self) -> usize {
        self.input[0] * self.input[1]
    }

    /// The input coordinate along `axis` read by output position `o` and kernel tap `k`, or
    /// `None` when it falls in the padding.
    #[inline]
    pub fn source(&self, axis: usize, o: usize, k: usize) -> Option<usize> {
        let pos = o * self.stride[axis] + k * self.dilation[axis];
        let i = pos.checked_sub(self.padding[axis])?;
        (i < self.input[axis]).then_some(i)
    }

    /// The output positions along `axis` whose kernel tap `k` reads inside the input (not the
    /// padding): exactly the `o` for which [`Window::source`] is `Some`.
    pub fn valid(&self, axis: usize, k: usize) -> std::ops::Range<usize> {
        let (s, p) = (self.stride[axis], self.padding[axis]);
        let off = k * self.dilation[axis];
        // o·s + off must lie in [p, p + size)
        let lo = p.saturating_sub(off).div_ceil(s);
        let end = p + self.input[axis];
        let hi = if end > off {
            ((end - off - 1) / s + 1).min(self.output[axis])
        } else {
            0
        };
        lo.min(hi)..hi
    }
}

/// Number of window positions along one dim of a convolution (PyTorch's
/// `(size + 2·pad − dil·(k−1) − 1) / stride + 1`); panics naming `op` when the window does not
/// fit even once.
pub(crate) fn conv_out_size(
    op: &str,
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> usize {
    assert!(
        kernel > 0 && stride > 0 && dilation > 0,
        "{op}: kernel size, stride and dilation must be positive, got {kernel}, {stride}, \
         {dilation}"
    );
    let span = dilation * (kernel - 1) + 1;
    let padded = size + 2 * padding;
    assert!(
        padded >= span,
        "{op}: kernel size {span} (dilated) can't be greater than the padded input size {padded}"
    );
    (padded - span) / stride + 1
}

/// Number of window positions along one dim of a pooling, with PyTorch's `ceil_mode` rule (the
/// last window must start inside the input or its left padding).
pub(crate) fn pool_out_size(
    op: &str,
    size: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
    ceil_mode: bool,
) -> usize {
    let floor = conv_out_size(op, size, kernel, stride, padding, dilation);
    if !ceil_mode {
        return floor;
    }
    let span = dilation * (kernel - 1) + 1;
    let padded = size + 2 * padding;
    let mut out = (padded - span).div_ceil(stride) + 1;
    if (out - 1) * stride >= size + padding {
        out -= 1;
    }
    out
}

/// Checks a pooling of `input` (`[C, H, W]` or `[N, C, H, W]`) and works out its window, with
/// every `(n, c)` plane treated as one image of one channel. Panics naming `op` and the shape.
pub(crate) fn pool_window(
    op: &str,
    input: &crate::tensor::Tensor,
    o: &super::pool_options::Pool2dOptions,
) -> Window {
    let dims = input.dims();
    assert!(
        dims.len() == 3 || dims.len() == 4,
        "{op}: expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape {}",
        input.shape()
    );
    for a in 0..2 {
        assert!(
            o.padding[a] <= o.kernel[a] / 2,
            "{op}: pad should be at most half of effective kernel size, but got pad={:?} and \
             kernel_size={:?}",
            o.padding,
            o.kernel
        );
    }
    let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
    let planes = dims[..dims.len() - 2].iter().product();
    let out = |a: usize, size: usize| {
        pool_out_size(
            op,
            size,
            o.kernel[a],
            o.stride[a],
            o.padding[a],
            o.dilation[a],
            o.ceil_mode,
        )
    };
    Window {
        batch: planes,
        channels: 1,
        input: [h, w],
        output: [out(0, h), out(1, w)],
        kernel: o.kernel,
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
    }
}

/// The shape of a pooling's output: `input`'s leading dims, then `[OH, OW]`.
pub(crate) fn pooled_shape(input: &[usize], w: &Window) -> Vec<usize> {
    let mut shape = input[..input.len() - 2].to_vec();
    shape.extend(w.output);
    shape
}
