//! Differentiable max and average pooling (`F.max_pool1d/2d`, `F.avg_pool1d/2d`).

use kiln_tensor::{Pool1dOptions, Pool2dOptions, Tensor};

use crate::graph::record;
use crate::var::Var;

/// Runs a 2-D pooling on a `[N, C, L]` / `[C, L]` input viewed with a height of one.
fn as_1d(x: &Var, op: &str, pool: impl FnOnce(&Var) -> Var) -> Var {
    let d = x.value().dim();
    assert!(
        d == 2 || d == 3,
        "{op}: expected a 2-D [C, L] or 3-D [N, C, L] input, got shape {}",
        x.value().shape()
    );
    pool(&x.unsqueeze(d - 1)).squeeze_dim(d - 1)
}

impl Var {
    /// 2-D max pooling of a `[N, C, H, W]` or `[C, H, W]` input (`F.max_pool2d`); the gradient
    /// flows to each window's maximum.
    pub fn max_pool2d(&self, options: &Pool2dOptions) -> Var {
        let x = self.value();
        let (y, indices) = x.max_pool2d_with_indices(options);
        record(
            "MaxPool2DWithIndicesBackward0",
            y,
            &[self],
            move |g: &Tensor| vec![Some(x.max_pool2d_backward(g, &indices))],
        )
    }

    /// 2-D average pooling of a `[N, C, H, W]` or `[C, H, W]` input (`F.avg_pool2d`).
    pub fn avg_pool2d(&self, options: &Pool2dOptions) -> Var {
        let x = self.value();
        let y = x.avg_pool2d(options);
        let options = *options;
        record("AvgPool2DBackward0", y, &[self], move |g: &Tensor| {
            vec![Some(x.avg_pool2d_backward(g, &options))]
        })
    }

    /// 1-D max pooling of a `[N, C, L]` or `[C, L]` input (`F.max_pool1d`).
    pub fn max_pool1d(&self, options: &Pool1dOptions) -> Var {
        as_1d(self, "max_pool1d", |x| x.max_pool2d(&options.to_2d()))
    }

    /// 1-D average pooling of a `[N, C, L]` or `[C, L]` input (`F.avg_pool1d`).
    pub fn avg_pool1d(&self, options: &Pool1dOptions) -> Var {
        as_1d(self, "avg_pool1d", |x| x.avg_pool2d(&options.to_2d()))
    }
}
