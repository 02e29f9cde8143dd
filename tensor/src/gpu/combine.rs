//! `cat` on the GPU (and so `stack`, which concatenates unsqueezed views): the output is
//! allocated once and each input view is copied straight into its slice of it by
//! `kiln_gpu_kernels::copy_into`, so no input is made contiguous first.

use kiln_gpu_kernels::{StridedLayout, copy_into};

use crate::dtype::DType;
use crate::gpu::storage::{buffer_dtype, ok, wrap_contiguous};
use crate::gpu::{gpu_storage, on_gpu, strided, to_dtype};
use crate::tensor::Tensor;

/// The buffer type the copy runs in: 16-bit floats are widened to f32 and narrowed back once
/// at the end (exact both ways); every other dtype is already 32-bit.
fn work_dtype(dtype: DType) -> DType {
    match dtype {
        DType::F16 | DType::BF16 => DType::F32,
        other => other,
    }
}

/// `cat(parts, d)` into a tensor of `dtype` and `out_dims` (parts already checked, empty 1-D
/// parts dropped, at least one part left).
pub(crate) fn cat(parts: &[&Tensor], d: usize, dtype: DType, out_dims: &[usize]) -> Option<Tensor> {
    const OP: &str = "cat";
    if !on_gpu(OP, parts) {
        return None;
    }
    let work = work_dtype(dtype);
    let first = gpu_storage(parts[0]).expect("a gpu tensor");
    let gpu = &first.gpu;
    let n: usize = out_dims.iter().product();
    let kind = buffer_dtype(work).expect("float64 never reaches a gpu");
    let out = ok(OP, gpu.ctx.alloc(n, kind));
    let whole = StridedLayout::contiguous(out_dims);
    let mut start = 0;
    for part in parts {
        let len = part.dims()[d];
        let p = to_dtype(part, work).expect("a gpu tensor");
        let g = gpu_storage(&p).expect("a gpu tensor");
        let mut region = whole.clone();
        region.shape[d] = len;
        region.offset = start * whole.strides[d];
        ok(
            OP,
            copy_into(&gpu.ctx, &g.buffer, &strided(&p), &out, &region),
        );
        start += len;
    }
    let t = wrap_contiguous(gpu, out, work, out_dims.to_vec());
    Some(to_dtype(&t, dtype).expect("a gpu tensor"))
}
