//! Layer normalisation forward and backward on the GPU (`kiln_gpu_kernels::layer_norm`,
//! `layer_norm_backward`; one workgroup per row, f32 statistics).

use kiln_gpu_kernels::{GpuBuffer, layer_norm as forward, layer_norm_backward as backward};

use crate::dtype::DType;
use crate::gpu::convert::from_f32;
use crate::gpu::storage::ok;
use crate::gpu::{gpu_storage, on_gpu};
use crate::tensor::Tensor;

/// The elements of `t` as a contiguous f32 buffer.
fn packed(t: &Tensor) -> GpuBuffer {
    let c = crate::gpu::contiguous(&t.to_dtype(DType::F32)).expect("a gpu tensor");
    gpu_storage(&c).expect("a gpu tensor").buffer.clone()
}

/// `layer_norm_with_stats` over the last `normalized_shape.len()` dims (shapes already
/// checked by the caller): `(y, mean, rstd)` in the input's dtype.
pub(crate) fn layer_norm(
    x: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    eps: f64,
) -> Option<(Tensor, Tensor, Tensor)> {
    const OP: &str = "layer_norm";
    let params: Vec<&Tensor> = [Some(x), weight, bias].into_iter().flatten().collect();
    if !on_gpu(OP, &params) {
        return None;
    }
    let dtype = x.dtype();
    assert!(
        dtype.is_float(),
        "{OP}: not implemented for {dtype} tensors (expects a floating-point dtype)"
    );
    let dims = x.dims();
    let k = normalized_shape.len();
    let cols: usize = normalized_shape.iter().product();
    let rows: usize = dims[..dims.len() - k].iter().product();
    let mut stat_dims = dims[..dims.len() - k].to_vec();
    stat_dims.extend(std::iter::repeat_n(1, k));
    let gpu = std::sync::Arc::clone(&gpu_storage(x).expect("a gpu tensor").gpu);
    let (w, b) = (weight.map(packed), bias.map(packed));
    let out = ok(
        OP,
        forward(
            &gpu.ctx,
            &packed(x),
            w.as_ref(),
            b.as_ref(),
            rows,
            cols,
            eps as f32,
        ),
    );
    Some((
        from_f32(&gpu, out.y, dtype, dims.to_vec()),
        from_f32(&gpu, out.mean, dtype, stat_dims.clone()),
        from_f32(&gpu, out.rstd, dtype, stat_dims),
    ))
}

/// `layer_norm_backward`: `(d_input, d_weight, d_bias)`; `d_input` in the input's dtype, the
/// parameter gradients in f32, as on the CPU.
pub(crate) fn layer_norm_backward(
    x: &Tensor,
    grad: &Tensor,
    mean: &Tensor,
    rstd: &Tensor,
    normalized_shape: &[usize],
    weight: Option<&Tensor>,
) -> Option<(Tensor, Tensor, Tensor)> {
    const OP: &str = "layer_norm_backward";
    let inputs: Vec<&Tensor> = [Some(x), Some(grad), Some(mean), Some(rstd), weight]
        .into_iter()
        .flatten()
        .collect();
    if !on_gpu(OP, &inputs) {
        return None;
    }
    assert_eq!(
        x.dims(),
        grad.dims(),
        "{OP}: input {} and gradient {} differ in shape",
        x.shape(),
        grad.shape()
    );
    let dtype = x.dtype();
    assert!(
        dtype.is_float(),
        "{OP}: not implemented for {dtype} tensors"
    );
    let cols: usize = normalized_shape.iter().product();
    let rows = x.numel().checked_div(cols).unwrap_or(0);
    let gpu = std::sync::Arc::clone(&gpu_storage(x).expect("a gpu tensor").gpu);
    let w = weight.map(packed);
    let out = ok(
        OP,
        backward(
            &gpu.ctx,
            &packed(grad),
            &packed(x),
            &packed(mean),
            &packed(rstd),
            w.as_ref(),
            rows,
            cols,
        ),
    );
    Some((
        from_f32(&gpu, out.dx, dtype, x.dims().to_vec()),
        from_f32(&gpu, out.dgamma, DType::F32, normalized_shape.to_vec()),
        from_f32(&gpu, out.dbeta, DType::F32, normalized_shape.to_vec()),
    ))
}
