//! Random draws on the GPU: `bernoulli` (and so dropout's keep mask in `kiln-autograd`) with
//! `kiln_gpu_kernels::bernoulli`'s counter-based generator, seeded by one `u64` from the
//! tensor crate's [`Generator`], so a seeded run repeats exactly. The GPU stream differs from
//! the CPU one for the same seed.

use kiln_gpu_kernels::bernoulli as kernel;

use crate::dtype::DType;
use crate::gpu::convert::from_f32;
use crate::gpu::storage::ok;
use crate::gpu::{contiguous, gpu_storage, on_gpu, to_dtype};
use crate::random::Generator;
use crate::tensor::Tensor;

/// `p.bernoulli_from(generator)`: 1 with probability `p[i]`, else 0, in `p`'s dtype. The
/// `[0, 1]` check reads `min` and `max` of `p` back (two scalars).
pub(crate) fn bernoulli(p: &Tensor, generator: &mut Generator) -> Option<Tensor> {
    const OP: &str = "bernoulli";
    if !on_gpu(OP, &[p]) {
        return None;
    }
    if p.numel() > 0 {
        for bound in [p.min(), p.max()] {
            let v = bound.item::<f64>();
            assert!(
                (0.0..=1.0).contains(&v),
                "{OP}: probability {v} not in [0, 1]"
            );
        }
    }
    let probs = contiguous(&to_dtype(p, DType::F32).expect("a gpu tensor")).expect("a gpu tensor");
    let g = gpu_storage(&probs).expect("a gpu tensor");
    let out = ok(OP, kernel(&g.gpu.ctx, &g.buffer, generator.next_u64()));
    Some(from_f32(&g.gpu, out, p.dtype(), p.dims().to_vec()))
}
