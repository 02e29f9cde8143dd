//! 2-D convolution (`F.conv2d`) and its backward pass, through `im2col` + batched GEMM.
//!
//! Forward: each image is unrolled to `cols[n] = [C·kh·kw, OH·OW]`; each group's weights
//! `[O/g, C/g·kh·kw]` times that group's rows give the outputs directly in `[N, O, OH, OW]`
//! order (one strided batched product, no transposes). Backward:
//! `grad_weight = Σ_n grad_out[n] · cols[n]ᵀ`, `grad_cols = weightᵀ · grad_out`, folded back to
//! the input with `col2im`.

use super::compute_dtype;
use super::geometry::{Window, conv_out_size};
use super::im2col::{col2im, im2col};
use super::options::Conv2dOptions;
use crate::dtype::DType;
use crate::tensor::Tensor;

/// Gradients of a convolution (`torch.ops.aten.convolution_backward`'s three outputs), each
/// `None` when it was not asked for.
#[derive(Clone, Debug)]
pub struct Conv2dGrads {
    /// Gradient with respect to the input, shaped like it.
    pub input: Option<Tensor>,
    /// Gradient with respect to the weight, shaped like it.
    pub weight: Option<Tensor>,
    /// Gradient with respect to the bias, `[out_channels]`.
    pub bias: Option<Tensor>,
}

/// Checks shapes and works out the window of `conv2d(input, weight)`; panics naming shapes.
fn plan(input: &Tensor, weight: &Tensor, bias: Option<&Tensor>, o: &Conv2dOptions) -> Window {
    let (xs, ws) = (input.dims(), weight.dims());
    assert!(
        xs.len() == 4 && ws.len() == 4,
        "conv2d: expected a 4-D input [N, C, H, W] and 4-D weight [O, C/groups, kh, kw], got \
         shapes {} and {}",
        input.shape(),
        weight.shape()
    );
    let g = o.groups;
    assert!(
        g > 0 && xs[1] % g == 0 && ws[0] % g == 0 && ws[1] * g == xs[1],
        "conv2d: weight of shape {} with groups={g} expects {} input channels, but the input has \
         shape {}",
        weight.shape(),
        ws[1] * g,
        input.shape()
    );
    if let Some(b) = bias {
        assert!(
            b.dims() == [ws[0]],
            "conv2d: expected bias of shape [{}], got {}",
            ws[0],
            b.shape()
        );
    }
    assert!(
        input.dtype() == weight.dtype(),
        "conv2d: input ({}) and weight ({}) must have the same dtype",
        input.dtype(),
        weight.dtype()
    );
    let out = |a: usize| {
        conv_out_size(
            "conv2d",
            xs[2 + a],
            ws[2 + a],
            o.stride[a],
            o.padding[a],
            o.dilation[a],
        )
    };
    Window {
        batch: xs[0],
        channels: xs[1],
        input: [xs[2], xs[3]],
        output: [out(0), out(1)],
        kernel: [ws[2], ws[3]],
        stride: o.stride,
        padding: o.padding,
        dilation: o.dilation,
    }
}

/// `im2col` of `x` (in a compute dtype) as a `[N, g, C/g·kh·kw, OH·OW]` tensor.
fn unfold(x: &Tensor, w: &Window, groups: usize) -> Tensor {
    #[cfg(feature = "gpu")]
    if let Some(cols) = crate::gpu::im2col(x, w, groups) {
        return cols;
    }
    let rows = w.channels * w.kernel[0] * w.kernel[1];
    let shape = [w.batch, groups, rows / groups, w.out_len()];
    let x = x.contiguous();
    match x.dtype() {
        DType::F64 => Tensor::from_vec(im2col(x.typed::<f64>("conv2d").0, w), shape),
        _ => Tensor::from_vec(im2col(x.typed::<f32>("conv2d").0, w), shape),
    }
}

/// `col2im` of `cols` (`[N, g, C/g·kh·kw, OH·OW]` in a compute dtype) into `shape`.
fn fold(cols: &Tensor, w: &Window, shape: &[usize]) -> Tensor {
    #[cfg(feature = "gpu")]
    if let Some(image) = crate::gpu::col2im(cols, w, shape) {
        return image;
    }
    let cols = cols.contiguous();
    match cols.dtype() {
        DType::F64 => Tensor::from_vec(col2im(cols.typed::<f64>("conv2d").0, w), shape.to_vec()),
        _ => Tensor::from_vec(col2im(cols.typed::<f32>("conv2d").0, w), shape.to_vec()),
    }
}

impl Tensor {
    /// 2-D convolution (cross-correlation, as in PyTorch) of `[N, C, H, W]` input with
    /// `[O, C/groups, kh, kw]` weights and optional `[O]` bias, giving `[N, O, OH, OW]`
    /// (`F.conv2d`). Floating-point dtypes only; f16/bf16 compute in f32. Panics naming the
    /// shapes when they do not fit.
    pub fn conv2d(
        &self,
        weight: &Tensor,
        bias: Option<&Tensor>,
        options: &Conv2dOptions,
    ) -> Tensor {
        let win = plan(self, weight, bias, options);
        let dtype = compute_dtype(self, "conv2d");
        let (x, wt) = (self.to_dtype(dtype), weight.to_dtype(dtype));
        let g = options.groups;
        let cols = unfold(&x, &win, g);
        let (n, o, k) = (win.batch, weight.dims()[0], cols.dims()[2]);
        // [g, O/g, K] · [N, g, K, L] = [N, g, O/g, L], i.e. [N, O, OH, OW] in memory order
        let out = wt.reshape_to([g, o / g, k]).matmul(&cols).reshape_to([
            n,
            o,
            win.output[0],
            win.output[1],
        ]);
        let out = match bias {
            Some(b) => &out + &b.to_dtype(dtype).reshape_to([1, o, 1, 1]),
            None => out,
        };
        out.to_dtype(self.dtype())
    }

    /// The backward pass of [`Tensor::conv2d`] at input `self`: gradients with respect to the
    /// input, weight and bias for output gradient `grad_output`, computing only those whose
    /// flag in `needs` (`[input, weight, bias]`) is set (`aten::convolution_backward`'s
    /// `output_mask`).
    pub fn conv2d_backward(
        &self,
        weight: &Tensor,
        grad_output: &Tensor,
        options: &Conv2dOptions,
        needs: [bool; 3],
    ) -> Conv2dGrads {
        let win = plan(self, weight, None, options);
        let (n, o) = (win.batch, weight.dims()[0]);
        let expected = [n, o, win.output[0], win.output[1]];
        assert!(
            grad_output.dims() == expected,
            "conv2d_backward: expected grad_output of shape {:?}, got {}",
            expected,
            grad_output.shape()
        );
        let dtype = compute_dtype(self, "conv2d_backward");
        let g = options.groups;
        let go = grad_output.to_dtype(dtype);
        let bias = needs[2].then(|| go.sum_dim(&[0, 2, 3], false).to_dtype(weight.dtype()));
        if !needs[0] && !needs[1] {
            return Conv2dGrads {
                input: None,
                weight: None,
                bias,
            };
        }
        let go = go.reshape_to([n, g, o / g, win.out_len()]);
        let wt = weight
            .to_dtype(dtype)
            .reshape_to([g, o / g, weight.numel() / o]);
        let grad_weight = needs[1].then(|| {
            // Σ_n [N, g, O/g, L] · [N, g, L, K]
            let cols = unfold(&self.to_dtype(dtype), &win, g);
            go.matmul(&cols.transpose(2, 3))
                .sum_dim(&[0], false)
                .reshape_to(weight.dims().to_vec())
                .to_dtype(weight.dtype())
        });
        let grad_input = needs[0].then(|| {
            // [g, K, O/g] · [N, g, O/g, L] = [N, g, K, L]
            let cols = wt.transpose(1, 2).matmul(&go);
            fold(&cols, &win, self.dims()).to_dtype(self.dtype())
        });
        Conv2dGrads {
            input: grad_input,
            weight: grad_weight,
            bias,
        }
    }
}
