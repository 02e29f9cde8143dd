//! Convolutions and poolings as free functions (`F.conv1d`, `F.conv2d`, `F.max_pool1d`,
//! `F.max_pool2d`, `F.avg_pool1d`, `F.avg_pool2d`), delegating to the autograd ops on [`Var`].

use kiln_autograd::Var;
use kiln_tensor::{Conv1dOptions, Conv2dOptions, Pool1dOptions, Pool2dOptions};

/// 2-D convolution of `[N, C, H, W]` input with `[O, C/groups, kh, kw]` weights and an optional
/// `[O]` bias (`F.conv2d(input, weight, bias, stride, padding, dilation, groups)`).
pub fn conv2d(input: &Var, weight: &Var, bias: Option<&Var>, options: &Conv2dOptions) -> Var {
    input.conv2d(weight, bias, options)
}

/// 1-D convolution of `[N, C, L]` input with `[O, C/groups, k]` weights and an optional `[O]`
/// bias (`F.conv1d`).
pub fn conv1d(input: &Var, weight: &Var, bias: Option<&Var>, options: &Conv1dOptions) -> Var {
    input.conv1d(weight, bias, options)
}

/// 2-D max pooling of `[N, C, H, W]` or `[C, H, W]` input (`F.max_pool2d`).
pub fn max_pool2d(input: &Var, options: &Pool2dOptions) -> Var {
    input.max_pool2d(options)
}

/// 2-D average pooling of `[N, C, H, W]` or `[C, H, W]` input (`F.avg_pool2d`).
pub fn avg_pool2d(input: &Var, options: &Pool2dOptions) -> Var {
    input.avg_pool2d(options)
}

/// 1-D max pooling of `[N, C, L]` or `[C, L]` input (`F.max_pool1d`).
pub fn max_pool1d(input: &Var, options: &Pool1dOptions) -> Var {
    input.max_pool1d(options)
}

/// 1-D average pooling of `[N, C, L]` or `[C, L]` input (`F.avg_pool1d`).
pub fn avg_pool1d(input: &Var, options: &Pool1dOptions) -> Var {
    input.avg_pool1d(options)
}
