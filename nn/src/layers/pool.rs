//! 2-D pooling layers (`nn.MaxPool2d`, `nn.AvgPool2d`).

use kiln_autograd::Var;
use kiln_tensor::Pool2dOptions;

use crate::module::repr::{py_bool, py_tuple};
use crate::{Forward, Module, Visitor};

/// A square size prints as one int, as when PyTorch gets `kernel_size=2`; otherwise a tuple.
fn size(pair: [usize; 2]) -> String {
    if pair[0] == pair[1] {
        pair[0].to_string()
    } else {
        py_tuple(&pair)
    }
}

/// Maximum over each window of a `[N, C, H, W]` input (`nn.MaxPool2d`).
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d {
    /// Window, stride, padding, dilation and `ceil_mode`.
    pub options: Pool2dOptions,
}

impl MaxPool2d {
    /// `nn.MaxPool2d(kernel_size)`: square window, stride = kernel size.
    pub fn new(kernel_size: usize) -> MaxPool2d {
        MaxPool2d::with_options(Pool2dOptions::new([kernel_size, kernel_size]))
    }

    /// `nn.MaxPool2d` with every setting given.
    pub fn with_options(options: Pool2dOptions) -> MaxPool2d {
        MaxPool2d { options }
    }
}

impl Forward for MaxPool2d {
    fn forward(&self, input: &Var) -> Var {
        input.max_pool2d(&self.options)
    }
}

impl Module for MaxPool2d {
    fn type_name(&self) -> String {
        "MaxPool2d".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        let o = &self.options;
        format!(
            "kernel_size={}, stride={}, padding={}, dilation={}, ceil_mode={}",
            size(o.kernel),
            size(o.stride),
            size(o.padding),
            size(o.dilation),
            py_bool(o.ceil_mode)
        )
    }
}

/// Mean over each window of a `[N, C, H, W]` input (`nn.AvgPool2d`).
#[derive(Debug, Clone, Copy)]
pub struct AvgPool2d {
    /// Window, stride, padding, `ceil_mode` and `count_include_pad`.
    pub options: Pool2dOptions,
}

impl AvgPool2d {
    /// `nn.AvgPool2d(kernel_size)`: square window, stride = kernel size.
    pub fn new(kernel_size: usize) -> AvgPool2d {
        AvgPool2d::with_options(Pool2dOptions::new([kernel_size, kernel_size]))
    }

    /// `nn.AvgPool2d` with every setting given.
    pub fn with_options(options: Pool2dOptions) -> AvgPool2d {
        AvgPool2d { options }
    }
}

impl Forward for AvgPool2d {
    fn forward(&self, input: &Var) -> Var {
        input.avg_pool2d(&self.options)
    }
}

impl Module for AvgPool2d {
    fn type_name(&self) -> String {
        "AvgPool2d".into()
    }

    fn visit(&self, _visitor: &mut dyn Visitor) {}

    fn extra_repr(&self) -> String {
        let o = &self.options;
        format!(
            "kernel_size={}, stride={}, padding={}",
            size(o.kernel),
            size(o.stride),
            size(o.padding)
        )
    }
}
