//! Differentiable convolutions (`F.conv1d`, `F.conv2d`): one graph node per convolution, its
//! backward the `col2im`-based [`Tensor::conv2d_backward`].

use kiln_tensor::{Conv1dOptions, Conv2dOptions, Tensor};

use crate::graph::record;
use crate::var::Var;

impl Var {
    /// 2-D convolution of a `[N, C, H, W]` input with `[O, C/groups, kh, kw]` weights and an
    /// optional `[O]` bias, giving `[N, O, OH, OW]` (`F.conv2d`); an unbatched `[C, H, W]`
    /// input gives `[O, OH, OW]`. Gradients flow to all three.
    pub fn conv2d(&self, weight: &Var, bias: Option<&Var>, options: &Conv2dOptions) -> Var {
        if self.value().dim() == 3 {
            return self
                .unsqueeze(0usize)
                .conv2d(weight, bias, options)
                .squeeze_dim(0usize);
        }
        let (x, w) = (self.value(), weight.value());
        let b = bias.map(Var::value);
        let y = x.conv2d(&w, b.as_ref(), options);
        let needs = [
            self.tracks(),
            weight.tracks(),
            bias.is_some_and(Var::tracks),
        ];
        let mut inputs = vec![self, weight];
        inputs.extend(bias);
        let (options, has_bias) = (*options, bias.is_some());
        record("ConvolutionBackward0", y, &inputs, move |g: &Tensor| {
            let grads = x.conv2d_backward(&w, g, &options, needs);
            let mut out = vec![grads.input, grads.weight];
            if has_bias {
                out.push(grads.bias);
            }
            out
        })
    }

    /// 1-D convolution of a `[N, C, L]` (or unbatched `[C, L]`) input with `[O, C/groups, k]`
    /// weights and an optional `[O]` bias, giving `[N, O, OL]` (`F.conv1d`); runs as
    /// [`Var::conv2d`] over a height of one.
    pub fn conv1d(&self, weight: &Var, bias: Option<&Var>, options: &Conv1dOptions) -> Var {
        let (xd, wd) = (self.value().dim(), weight.value().dim());
        assert!(
            (xd == 2 || xd == 3) && wd == 3,
            "conv1d: expected a 2-D [C, L] or 3-D [N, C, L] input and a 3-D weight \
             [O, C/groups, k], got shapes {} and {}",
            self.value().shape(),
            weight.value().shape()
        );
        self.unsqueeze(xd - 1)
            .conv2d(&weight.unsqueeze(2usize), bias, &options.to_2d())
            .squeeze_dim(xd - 1)
    }
}
