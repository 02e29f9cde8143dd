//! Settings of convolutions and poolings, with PyTorch's defaults and argument names.

/// Settings of a 2-D convolution (`F.conv2d(input, weight, bias, stride, padding, dilation,
/// groups)`); `[height, width]` pairs. Defaults equal PyTorch's: stride 1, padding 0,
/// dilation 1, groups 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv2dOptions {
    /// Step between window positions, in input elements (`stride`).
    pub stride: [usize; 2],
    /// Implicit zeros added on both sides of each spatial dim (`padding`).
    pub padding: [usize; 2],
    /// Spacing between kernel taps (`dilation`).
    pub dilation: [usize; 2],
    /// Number of blocked connections from input to output channels (`groups`).
    pub groups: usize,
}

impl Default for Conv2dOptions {
    fn default() -> Self {
        Conv2dOptions {
            stride: [1, 1],
            padding: [0, 0],
            dilation: [1, 1],
            groups: 1,
        }
    }
}

impl Conv2dOptions {
    /// PyTorch's defaults (stride 1, padding 0, dilation 1, groups 1).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the stride of both dims.
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }
    /// Sets the zero padding of both dims.
    pub fn padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }
    /// Sets the dilation of both dims.
    pub fn dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }
    /// Sets the number of groups.
    pub fn groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self
    }
}

/// Settings of a 1-D convolution (`F.conv1d`); defaults equal PyTorch's (stride 1, padding 0,
/// dilation 1, groups 1). Runs as a 2-D convolution over a height of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Conv1dOptions {
    /// Step between window positions (`stride`).
    pub stride: usize,
    /// Implicit zeros on both ends (`padding`).
    pub padding: usize,
    /// Spacing between kernel taps (`dilation`).
    pub dilation: usize,
    /// Number of blocked connections from input to output channels (`groups`).
    pub groups: usize,
}

impl Default for Conv1dOptions {
    fn default() -> Self {
        Conv1dOptions {
            stride: 1,
            padding: 0,
            dilation: 1,
            groups: 1,
        }
    }
}

impl Conv1dOptions {
    /// PyTorch's defaults (stride 1, padding 0, dilation 1, groups 1).
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the stride.
    pub fn stride(mut self, stride: usize) -> Self {
        self.stride = stride;
        self
    }
    /// Sets the zero padding.
    pub fn padding(mut self, padding: usize) -> Self {
        self.padding = padding;
        self
    }
    /// Sets the dilation.
    pub fn dilation(mut self, dilation: usize) -> Self {
        self.dilation = dilation;
        self
    }
    /// Sets the number of groups.
    pub fn groups(mut self, groups: usize) -> Self {
        self.groups = groups;
        self
    }
    /// The same convolution over `[N, C, 1, L]`: height settings are the identity.
    pub fn to_2d(self) -> Conv2dOptions {
        Conv2dOptions {
            stride: [1, self.stride],
            padding: [0, self.padding],
            dilation: [1, self.dilation],
            groups: self.groups,
        }
    }
}
