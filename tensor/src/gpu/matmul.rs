//! Matrix products on the GPU with PyTorch's rank rules (`kiln_gpu_kernels::matmul`).
//!
//! 1-D operands become a row / column, batch dims broadcast, and the batch is folded into the
//! kernel's two batch dims (copying the operands only when their batch strides cannot be
//! folded). f32 and f16 run natively (f16 with f32 accumulation); bf16 and integers compute in
//! f32, integers exactly while values stay within ±2^24.

use kiln_gpu_kernels::{
    DType as GpuDType, GpuBuffer, MatmulAlgo, MatmulArgs, MatmulOperand, StridedLayout,
    contiguous as copy, matmul as kernel,
};

use crate::dtype::DType;
use crate::gpu::convert::{f32_operand, from_f32};
use crate::gpu::storage::{ok, wrap_contiguous};
use crate::gpu::{gpu_storage, on_gpu};
use crate::layout::Layout;
use crate::ops::matmul::{Plan, plan};
use crate::tensor::Tensor;

/// Folds the shared batch dims of both operands into at most two, merging a dim into the
/// next when both operands step over it uniformly; `None` when more than two remain.
fn fold_batch(
    batch: &[usize],
    a: &[usize],
    b: &[usize],
) -> Option<([usize; 2], [usize; 2], [usize; 2])> {
    // (size, stride in a, stride in b), innermost last; size-1 dims dropped.
    let mut dims: Vec<(usize, usize, usize)> = Vec::new();
    for i in 0..batch.len() {
        if batch[i] == 1 {
            continue;
        }
        let d = (batch[i], a[i], b[i]);
        match dims.last_mut() {
            Some(prev) if prev.1 == d.1 * d.0 && prev.2 == d.2 * d.0 => {
                *prev = (prev.0 * d.0, d.1, d.2);
            }
            _ => dims.push(d),
        }
    }
    match dims[..] {
        [] => Some(([1, 1], [0, 0], [0, 0])),
        [(n, sa, sb)] => Some(([1, n], [0, sa], [0, sb])),
        [(n0, a0, b0), (n1, a1, b1)] => Some(([n0, n1], [a0, a1], [b0, b1])),
        _ => None,
    }
}

/// `a @ b` (`Tensor::matmul`, hence `mm`, `bmm`, `dot`); `None` for CPU operands.
pub(crate) fn matmul(a: &Tensor, b: &Tensor) -> Option<Tensor> {
    const OP: &str = "matmul";
    if !on_gpu(OP, &[a, b]) {
        return None;
    }
    let Plan {
        mnk: (m, n, k),
        batch,
        lhs,
        rhs,
        out_shape,
    } = plan(a, b, OP);
    let dtype = a.dtype();
    assert!(dtype != DType::Bool, "{OP}: not supported for bool tensors");

    // Native f32 / f16 buffers; everything else multiplies in f32.
    let native = matches!(dtype, DType::F32 | DType::F16);
    let operand = |t: &Tensor| -> (std::sync::Arc<crate::gpu::context::Gpu>, GpuBuffer) {
        if native {
            let g = gpu_storage(t).expect("a gpu tensor");
            (std::sync::Arc::clone(&g.gpu), g.buffer.clone())
        } else {
            let (gpu, buf, _) = f32_operand(t);
            (gpu, buf)
        }
    };
    let (gpu, mut ba) = operand(a);
    let (_, mut bb) = operand(b);
    let nb = batch.len();
    let (mut lhs, mut rhs) = (lhs, rhs);
    let folded = fold_batch(&batch, &lhs.strides()[..nb], &rhs.strides()[..nb]);
    let (sizes, stride_a, stride_b) = match folded {
        Some(f) => f,
        None => {
            // Materialise both operands row-major over the full batch, which always folds.
            for (buf, layout) in [(&mut ba, &mut lhs), (&mut bb, &mut rhs)] {
                let view = StridedLayout::new(layout.dims(), layout.strides(), layout.offset());
                *buf = ok(OP, copy(&gpu.ctx, buf, &view));
                *layout = Layout::contiguous(layout.shape().clone());
            }
            fold_batch(&batch, &lhs.strides()[..nb], &rhs.strides()[..nb])
                .expect("contiguous batches fold")
        }
    };
    let matrix = |l: &Layout, s: [usize; 2]| MatmulOperand {
        offset: l.offset(),
        batch_strides: s,
        row_stride: l.strides()[nb],
        col_stride: l.strides()[nb + 1],
    };
    let args = MatmulArgs {
        m,
        n,
        k,
        batch: sizes,
        a: matrix(&lhs, stride_a),
        b: matrix(&rhs, stride_b),
        algo: MatmulAlgo::Auto,
    };
    let out = ok(OP, kernel(&gpu.ctx, &ba, &bb, &args));
    Some(if native {
        debug_assert!(matches!(out.dtype(), GpuDType::F32 | GpuDType::F16));
        wrap_contiguous(&gpu, out, dtype, out_shape)
    } else {
        from_f32(&gpu, out, dtype, out_shape)
    })
}
