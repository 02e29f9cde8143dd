//! Convolution layers (`nn.Conv1d`, `nn.Conv2d`).

use kiln_autograd::Var;
use kiln_tensor::{Conv1dOptions, Conv2dOptions, Tensor};

use crate::init::{FanMode, Nonlinearity, kaiming_uniform_, uniform_};
use crate::module::repr::py_tuple as tuple;
use crate::{Forward, Module, Visitor};

/// The weight `[out, in/groups, *kernel]` and bias `[out]` with PyTorch's default
/// initialisation (`kaiming_uniform_(a=√5)`, bias U(−1/√fan_in, 1/√fan_in)).
fn conv_params(
    in_channels: usize,
    out_channels: usize,
    groups: usize,
    kernel: &[usize],
    bias: bool,
) -> (Var, Option<Var>) {
    assert!(
        groups > 0 && in_channels.is_multiple_of(groups) && out_channels.is_multiple_of(groups),
        "in_channels ({in_channels}) and out_channels ({out_channels}) must be divisible by \
         groups ({groups})"
    );
    let mut dims = vec![out_channels, in_channels / groups];
    dims.extend_from_slice(kernel);
    let weight = Var::parameter(Tensor::zeros(dims));
    kaiming_uniform_(
        &weight,
        FanMode::FanIn,
        Nonlinearity::LeakyRelu(5f64.sqrt()),
    );
    let fan_in = in_channels / groups * kernel.iter().product::<usize>();
    let bias = bias.then(|| {
        let b = Var::parameter(Tensor::zeros([out_channels]));
        let bound = if fan_in > 0 {
            1.0 / (fan_in as f64).sqrt()
        } else {
            0.0
        };
        uniform_(&b, -bound, bound);
        b
    });
    (weight, bias)
}

/// PyTorch's `_ConvNd.extra_repr`: non-default settings only.
fn conv_repr(
    in_channels: usize,
    out_channels: usize,
    tuples: [(&str, String, bool); 4],
    groups: usize,
    bias: bool,
) -> String {
    let mut s = format!("{in_channels}, {out_channels}");
    for (name, value, always) in tuples {
        if always {
            s.push_str(&format!(", {name}={value}"));
        }
    }
    if groups != 1 {
        s.push_str(&format!(", groups={groups}"));
    }
    if !bias {
        s.push_str(", bias=False");
    }
    s
}

/// 2-D convolution over `[N, C_in, H, W]` (`nn.Conv2d`), weight `[C_out, C_in/groups, kH, kW]`.
pub struct Conv2d {
    /// `[out_channels, in_channels / groups, kernel_h, kernel_w]`.
    pub weight: Var,
    /// `[out_channels]`; `None` for `bias=False`.
    pub bias: Option<Var>,
    in_channels: usize,
    out_channels: usize,
    options: Conv2dOptions,
}

impl Conv2d {
    /// `nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups,
    /// bias)` with the settings in `options` (PyTorch's defaults from `Conv2dOptions::new()`).
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: [usize; 2],
        options: Conv2dOptions,
        bias: bool,
    ) -> Conv2d {
        let (weight, bias) = conv_params(
            in_channels,
            out_channels,
            options.groups,
            &kernel_size,
            bias,
        );
        Conv2d {
            weight,
            bias,
            in_channels,
            out_channels,
            options,
        }
    }
}

impl Forward for Conv2d {
    fn forward(&self, input: &Var) -> Var {
        input.conv2d(&self.weight, self.bias.as_ref(), &self.options)
    }
}

impl Module for Conv2d {
    fn type_name(&self) -> String {
        "Conv2d".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        visitor.parameter("weight", &self.weight);
        if let Some(b) = &self.bias {
            visitor.parameter("bias", b);
        }
    }

    fn extra_repr(&self) -> String {
        let o = &self.options;
        let kernel = &self.weight.dims()[2..];
        conv_repr(
            self.in_channels,
            self.out_channels,
            [
                ("kernel_size", tuple(kernel), true),
                ("stride", tuple(&o.stride), true),
                ("padding", tuple(&o.padding), o.padding != [0, 0]),
                ("dilation", tuple(&o.dilation), o.dilation != [1, 1]),
            ],
            o.groups,
            self.bias.is_some(),
        )
    }
}

/// 1-D convolution over `[N, C_in, L]` (`nn.Conv1d`), weight `[C_out, C_in/groups, k]`.
pub struct Conv1d {
    /// `[out_channels, in_channels / groups, kernel_size]`.
    pub weight: Var,
    /// `[out_channels]`; `None` for `bias=False`.
    pub bias: Option<Var>,
    in_channels: usize,
    out_channels: usize,
    options: Conv1dOptions,
}

impl Conv1d {
    /// `nn.Conv1d(in_channels, out_channels, kernel_size, …)` with the settings in `options`.
    pub fn new(
        in_channels: usize,
        out_channels: usize,
        kernel_size: usize,
        options: Conv1dOptions,
        bias: bool,
    ) -> Conv1d {
        let (weight, bias) = conv_params(
            in_channels,
            out_channels,
            options.groups,
            &[kernel_size],
            bias,
        );
        Conv1d {
            weight,
            bias,
            in_channels,
            out_channels,
            options,
        }
    }
}

impl Forward for Conv1d {
    fn forward(&self, input: &Var) -> Var {
        input.conv1d(&self.weight, self.bias.as_ref(), &self.options)
    }
}

impl Module for Conv1d {
    fn type_name(&self) -> String {
        "Conv1d".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        visitor.parameter("weight", &self.weight);
        if let Some(b) = &self.bias {
            visitor.parameter("bias", b);
        }
    }

    fn extra_repr(&self) -> String {
        let o = &self.options;
        conv_repr(
            self.in_channels,
            self.out_channels,
            [
                ("kernel_size", tuple(&self.weight.dims()[2..]), true),
                ("stride", tuple(&[o.stride]), true),
                ("padding", tuple(&[o.padding]), o.padding != 0),
                ("dilation", tuple(&[o.dilation]), o.dilation != 1),
            ],
            o.groups,
            self.bias.is_some(),
        )
    }
}
