//! Matrix products with PyTorch's rules: `matmul`, `mm`, `bmm`, `dot`, `outer`, `matrix_power`.

use crate::cpu::buffer_pool;
use crate::cpu::gemm::{Gemm, MatRef, batched_gemm};
use crate::cpu::strided::for_each_row;
use crate::dtype::{DType, Element};
use crate::layout::{Layout, coalesce};
use crate::shape::Shape;
use crate::tensor::Tensor;

/// The operands of a (batched) product after PyTorch's promotions: both at least 2-D,
/// broadcast to `[batch..., m, k]` and `[batch..., k, n]`, and the shape of the result.
pub(crate) struct Plan {
    /// `(m, n, k)` of each product.
    pub(crate) mnk: (usize, usize, usize),
    /// The broadcast batch dims (empty for a single product).
    pub(crate) batch: Vec<usize>,
    /// `lhs` viewed as `[batch..., m, k]`.
    pub(crate) lhs: Layout,
    /// `rhs` viewed as `[batch..., k, n]`.
    pub(crate) rhs: Layout,
    /// The result's shape, with the dims of promoted 1-D operands removed again.
    pub(crate) out_shape: Shape,
}

/// Checks shapes, devices and dtypes, and lays out the product; panics naming `op` and shapes.
pub(crate) fn plan(a: &Tensor, b: &Tensor, op: &str) -> Plan {
    let (sa, sb) = (a.shape(), b.shape());
    assert!(
        a.dim() >= 1 && b.dim() >= 1,
        "{op}: both arguments need to be at least 1-D, got shapes {sa} and {sb}"
    );
    assert_eq!(
        a.device(),
        b.device(),
        "{op}: expected both tensors on the same device, got {} and {}",
        a.device(),
        b.device()
    );
    assert_eq!(
        a.dtype(),
        b.dtype(),
        "{op}: expected both tensors to have the same dtype, got {} and {}",
        a.dtype(),
        b.dtype()
    );
    // A 1-D lhs becomes a row [1, k], a 1-D rhs a column [k, 1].
    let la = if a.dim() == 1 {
        a.layout().unsqueeze(0)
    } else {
        a.layout().clone()
    };
    let lb = if b.dim() == 1 {
        b.layout().unsqueeze(1)
    } else {
        b.layout().clone()
    };
    let (ra, rb) = (la.dims().len(), lb.dims().len());
    let (m, k) = (la.dims()[ra - 2], la.dims()[ra - 1]);
    let (k2, n) = (lb.dims()[rb - 2], lb.dims()[rb - 1]);
    assert!(
        k == k2,
        "{op}: shapes {sa} and {sb} cannot be multiplied ({k} != {k2})"
    );
    let batch_a = Shape::from(&la.dims()[..ra - 2]);
    let batch_b = Shape::from(&lb.dims()[..rb - 2]);
    let batch = Shape::broadcast(&batch_a, &batch_b).unwrap_or_else(|| {
        panic!(
            "{op}: shapes {sa} and {sb} cannot be multiplied (batch dims {batch_a} and {batch_b} \
             cannot be broadcast together)"
        )
    });
    let full = |last: [usize; 2]| Shape::new(batch.dims().iter().copied().chain(last).collect());
    let lhs = la
        .broadcast_to(&full([m, k]))
        .expect("batch dims broadcast");
    let rhs = lb
        .broadcast_to(&full([k, n]))
        .expect("batch dims broadcast");
    let mut out = batch.dims().to_vec();
    if a.dim() > 1 {
        out.push(m);
    }
    if b.dim() > 1 {
        out.push(n);
    }
    Plan {
        mnk: (m, n, k),
        batch: batch.dims().to_vec(),
        lhs,
        rhs,
        out_shape: Shape::new(out),
    }
}

/// The CPU loop behind [`Tensor::matmul`] for one element type: the row-major `[batch, m, n]`
/// elements of the product.
fn matmul_cpu<T: Element + Gemm>(a: &Tensor, b: &Tensor, p: &Plan) -> Vec<T> {
    let (sa, _) = a.typed::<T>("matmul");
    let (sb, _) = b.typed::<T>("matmul");
    let (m, n, k) = p.mnk;
    let nb = p.batch.len();
    let batch: usize = p.batch.iter().product();
    let mut out = buffer_pool::scratch(batch * m * n, T::default());
    if out.is_empty() {
        return out;
    }
    let (da, db) = (p.lhs.strides(), p.rhs.strides());
    let lhs = MatRef {
        data: sa,
        offset: p.lhs.offset(),
        row_stride: da[nb],
        col_stride: da[nb + 1],
    };
    let rhs = MatRef {
        data: sb,
        offset: p.rhs.offset(),
        row_stride: db[nb],
        col_stride: db[nb + 1],
    };
    // When every batch shares one rhs and the lhs rows of all batches form one strided run
    // (e.g. `[batch, seq, d] @ [d, e]`), the whole batch is a single `(batch·m) × k` product.
    if db[..nb].iter().all(|&s| s == 0) && nb > 0 {
        let rows = coalesce(&p.lhs.dims()[..=nb], &[&da[..=nb]]);
        if let Some((dims, strides)) = rows.filter(|(dims, _)| dims.len() == 1) {
            let lhs = MatRef {
                row_stride: strides[0][0],
                ..lhs
            };
            batched_gemm(
                (dims[0], n, k),
                lhs,
                &[lhs.offset],
                rhs,
                &[rhs.offset],
                &mut out,
            );
            return out;
        }
    }
    let (mut lhs_offsets, mut rhs_offsets) = (Vec::with_capacity(batch), Vec::with_capacity(batch));
    for_each_row(
        &p.batch,
        [&da[..nb], &db[..nb]],
        [lhs.offset, rhs.offset],
        0..batch,
        |_, [oa, ob]| {
            lhs_offsets.push(oa);
            rhs_offsets.push(ob);
        },
    );
    batched_gemm((m, n, k), lhs, &lhs_offsets, rhs, &rhs_offsets, &mut out);
    out
}

impl Tensor {
    /// Matrix product with PyTorch's rules (`torch.matmul` / `@`):
    ///
    /// - 1-D · 1-D: the dot product, a 0-d tensor;
    /// - 2-D · 2-D: the matrix product `[m, k] · [k, n] → [m, n]`;
    /// - a 1-D lhs is treated as a row `[1, k]`, a 1-D rhs as a column `[k, 1]`, and that dim is
    ///   removed from the result again;
    /// - more dims: a batch of matrix products over the leading dims, which broadcast
    ///   (`[j, 1, m, k] · [l, k, n] → [j, l, m, n]`).
    ///
    /// Both operands must have the same dtype (as in PyTorch, there is no promotion). f32 and
    /// f64 use a blocked SIMD GEMM on strided operands (transposed views are not copied);
    /// f16/bf16 are multiplied in f32 and rounded once at the end; i64/u8 wrap on overflow.
    /// Panics naming the shapes when the inner dims differ or batch dims do not broadcast.
    pub fn matmul(&self, other: &Tensor) -> Tensor {
        #[cfg(feature = "gpu")]
        if let Some(out) = crate::gpu::matmul(self, other) {
            return out;
        }
        let p = plan(self, other, "matmul");
        match self.dtype() {
            DType::F32 => Tensor::from_vec(matmul_cpu::<f32>(self, other, &p), p.out_shape),
            DType::F64 => Tensor::from_vec(matmul_cpu::<f64>(self, other, &p), p.out_shape),
            DType::I64 => Tensor::from_vec(matmul_cpu::<i64>(self, other, &p), p.out_shape),
            DType::U8 => Tensor::from_vec(matmul_cpu::<u8>(self, other, &p), p.out_shape),
            dtype @ (DType::F16 | DType::BF16) => {
                let (a, b) = (self.to_dtype(DType::F32), other.to_dtype(DType::F32));
                a.matmul(&b).to_dtype(dtype)
            }
            DType::Bool => panic!("matmul: not supported for bool tensors"),
        }
    }

    /// Product of two matrices `[m, k] · [k, n] → [m, n]` (`torch.mm`); panics unless both
    /// are 2-D.
    pub fn mm(&self, other: &Tensor) -> Tensor {
        assert!(
            self.dim() == 2 && other.dim() == 2,
            "mm: expected 2-D tensors, got shapes {} and {}",
            self.shape(),
            other.shape()
        );
        self.matmul(other)
    }

    /// Batched product `[b, m, k] · [b, k, n] → [b, m, n]` (`torch.bmm`); panics unless both
    /// are 3-D with the same batch size (no broadcasting, unlike [`Tensor::matmul`]).
    pub fn bmm(&self, other: &Tensor) -> Tensor {
        assert!(
            self.dim() == 3 && other.dim() == 3 && self.dims()[0] == other.dims()[0],
            "bmm: expected 3-D tensors with the same batch size, got shapes {} and {}",
            self.shape(),
            other.shape()
        );
        self.matmul(other)
    }

    /// Inner product of two vectors of equal length, a 0-d tensor (`torch.dot`).
    pub fn dot(&self, other: &Tensor) -> Tensor {
        assert!(
            self.dim() == 1 && other.dim() == 1 && self.numel() == other.numel(),
            "dot: expected two 1-D tensors of the same length, got shapes {} and {}",
            self.shape(),
            other.shape()
        );
        self.matmul(other)
    }

    /// Outer product of two vectors, `out[i, j] = self[i] · other[j]` (`torch.outer`); the
    /// dtypes promote as in [`Tensor::mul`].
    pub fn outer(&self, other: &Tensor) -> Tensor {
        assert!(
            self.dim() == 1 && other.dim() == 1,
            "outer: expected 1-D tensors, got shapes {} and {}",
            self.shape(),
            other.shape()
        );
        self.unsqueeze(1).mul(&other.unsqueeze(0))
    }

    /// The square matrix (or each matrix of a batch `[..., m, m]`) raised to the power `n`
    /// by repeated squaring (`torch.matrix_power` / `torch.linalg.matrix_power` for `n ≥ 0`).
    /// `n = 0` gives the identity; integer tensors stay integer.
    pub fn matrix_power(&self, n: u32) -> Tensor {
        let dims = self.dims();
        assert!(
            dims.len() >= 2 && dims[dims.len() - 1] == dims[dims.len() - 2],
            "matrix_power: expected a square matrix or a batch of square matrices, got shape {}",
            self.shape()
        );
        if n == 0 {
            let eye = Tensor::eye_with(dims[dims.len() - 1], self.dtype(), &self.device());
            return eye.broadcast_to(self.shape()).contiguous();
        }
        let (mut result, mut base, mut e): (Option<Tensor>, Tensor, u32) = (None, self.clone(), n);
        loop {
            if e & 1 == 1 {
                result = Some(match result {
                    None => base.clone(),
                    Some(r) => r.matmul(&base),
                });
            }
            e >>= 1;
            if e == 0 {
                break;
            }
            base = base.matmul(&base);
        }
        result.expect("n > 0 sets the result").contiguous()
    }
}
