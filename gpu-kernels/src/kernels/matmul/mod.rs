//! Batched matrix multiply (`torch.matmul` / `torch.bmm` on 2-D or batched operands).
//!
//! Three WGSL modules: the tiled f32 kernel (`matmul.wgsl`), the native f16 kernel
//! (`matmul_f16.wgsl`, `enable f16;`, f32 accumulation, only with `SHADER_F16`), and the
//! subgroup split-K kernel for skinny products (`matmul_subgroup.wgsl`, only with `SUBGROUP`).

use crate::buffer::GpuBuffer;
use crate::context::GpuContext;
use crate::dtype::DType;
use crate::error::{GpuError, Result, invalid};
use crate::kernels::cast::cast;
use crate::pipeline::{Access, Kernel};

const BINDINGS: &[Access] = &[Access::Read, Access::Read, Access::ReadWrite, Access::Read];

const TILED: Kernel = Kernel {
    family: "matmul",
    entry: "matmul",
    source: &[include_str!("matmul.wgsl")],
    bindings: BINDINGS,
};

const TILED_F16: Kernel = Kernel {
    family: "matmul",
    entry: "matmul_f16",
    source: &[include_str!("matmul_f16.wgsl")],
    bindings: BINDINGS,
};

const SUBGROUP: Kernel = Kernel {
    family: "matmul",
    entry: "matmul_subgroup",
    source: &[include_str!("matmul_subgroup.wgsl")],
    bindings: BINDINGS,
};

/// Where one operand's matrices live in its buffer, in elements.
///
/// Element `(b0, b1, r, c)` is at `offset + b0*batch_strides[0] + b1*batch_strides[1]
/// + r*row_stride + c*col_stride`. A batch stride of 0 broadcasts one matrix over the batch;
/// swapping the row and column strides transposes (`torch.Tensor.mT`) without a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulOperand {
    /// Index of element (0, 0, 0, 0).
    pub offset: usize,
    /// Strides of the two batch dimensions.
    pub batch_strides: [usize; 2],
    /// Stride between rows.
    pub row_stride: usize,
    /// Stride between columns.
    pub col_stride: usize,
}

impl MatmulOperand {
    /// A row-major `rows x cols` matrix, contiguous batches of `rows * cols` in dimension 1.
    pub fn contiguous(rows: usize, cols: usize) -> Self {
        MatmulOperand {
            offset: 0,
            batch_strides: [0, rows * cols],
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major `cols x rows` matrix, seen as `rows x cols`
    /// (e.g. a Linear weight `[out, in]` used as `W^T`).
    pub fn transposed(rows: usize, cols: usize) -> Self {
        MatmulOperand {
            offset: 0,
            batch_strides: [0, rows * cols],
            row_stride: 1,
            col_stride: rows,
        }
    }

    /// The same operand with explicit batch strides (0 to broadcast).
    pub fn with_batch_strides(mut self, s0: usize, s1: usize) -> Self {
        self.batch_strides = [s0, s1];
        self
    }

    /// Whether rows, not columns, are the fast axis in memory (a transposed operand); this
    /// picks the tile-load mapping that keeps global reads coalesced.
    fn rows_fast(&self) -> bool {
        self.row_stride == 1 && self.col_stride != 1
    }

    fn encode(&self) -> [u32; 5] {
        [
            self.offset as u32,
            self.batch_strides[0] as u32,
            self.batch_strides[1] as u32,
            self.row_stride as u32,
            self.col_stride as u32,
        ]
    }

    /// Largest element index touched for a `batch x rows x cols` problem.
    fn last_index(&self, batch: [usize; 2], rows: usize, cols: usize) -> Option<usize> {
        let terms = [
            (batch[0] - 1).checked_mul(self.batch_strides[0])?,
            (batch[1] - 1).checked_mul(self.batch_strides[1])?,
            (rows - 1).checked_mul(self.row_stride)?,
            (cols - 1).checked_mul(self.col_stride)?,
        ];
        terms
            .iter()
            .try_fold(self.offset, |acc, &t| acc.checked_add(t))
    }
}

/// Which kernel computes the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatmulAlgo {
    /// The subgroup kernel for skinny f32 products (`m <= 8`) when the adapter has `SUBGROUP`,
    /// else the tiled kernel.
    #[default]
    Auto,
    /// Workgroup-memory tiles with register blocking.
    Tiled,
    /// Split-K with `subgroupAdd` (f32 only); an error without `SUBGROUP`.
    Subgroup,
}

/// A batched product `C[b0, b1] = A[b0, b1] (m x k) * B[b0, b1] (k x n)`; `C` is contiguous
/// `[batch[0], batch[1], m, n]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatmulArgs {
    /// Rows of A and C.
    pub m: usize,
    /// Columns of B and C.
    pub n: usize,
    /// Columns of A, rows of B.
    pub k: usize,
    /// Sizes of the two batch dimensions (`[1, 1]` for a plain 2-D product).
    pub batch: [usize; 2],
    /// Placement of A.
    pub a: MatmulOperand,
    /// Placement of B.
    pub b: MatmulOperand,
    /// Kernel choice.
    pub algo: MatmulAlgo,
}

impl MatmulArgs {
    /// A plain contiguous `(m x k) * (k x n)` product.
    pub fn new(m: usize, k: usize, n: usize) -> Self {
        MatmulArgs {
            m,
            n,
            k,
            batch: [1, 1],
            a: MatmulOperand::contiguous(m, k),
            b: MatmulOperand::contiguous(k, n),
            algo: MatmulAlgo::Auto,
        }
    }

    fn meta(&self) -> Vec<u32> {
        let mut v = vec![
            self.m as u32,
            self.n as u32,
            self.k as u32,
            self.batch[1] as u32,
        ];
        v.extend_from_slice(&self.a.encode());
        v.extend_from_slice(&self.b.encode());
        v
    }
}

/// Tile configurations: (BM, BN, BK, TM, TN).
const TILE_LARGE: [u32; 5] = [64, 64, 16, 4, 4];
const TILE_SMALL: [u32; 5] = [32, 32, 16, 2, 2];
/// Threads per workgroup of the subgroup kernel.
const SUBGROUP_WG: u32 = 128;

/// Multiplies `a` by `b` as `args` describes (`torch.matmul`). Both buffers are f32, or both
/// f16 (f32 accumulation; without `SHADER_F16` the operands are cast to f32 and the result
/// back to f16). Returns a new contiguous buffer of `batch[0] * batch[1] * m * n` elements.
pub fn matmul(
    ctx: &GpuContext,
    a: &GpuBuffer,
    b: &GpuBuffer,
    args: &MatmulArgs,
) -> Result<GpuBuffer> {
    const OP: &str = "matmul";
    if a.dtype() != b.dtype() {
        return Err(GpuError::DTypeMismatch {
            op: OP,
            expected: a.dtype(),
            found: b.dtype(),
        });
    }
    let dtype = a.dtype();
    if dtype != DType::F32 && dtype != DType::F16 {
        return Err(invalid(OP, format!("unsupported dtype {dtype:?}")));
    }
    let [b0, b1] = args.batch;
    let out_len = b0 * b1 * args.m * args.n;
    if out_len == 0 {
        return ctx.alloc(0, dtype);
    }
    if args.k == 0 {
        return ctx.zeros(out_len, dtype);
    }
    for (name, op, buf, rows, cols) in [
        ("A", &args.a, a, args.m, args.k),
        ("B", &args.b, b, args.k, args.n),
    ] {
        match op.last_index(args.batch, rows, cols) {
            Some(i) if i < buf.len() && i <= u32::MAX as usize => {}
            _ => {
                return Err(invalid(
                    OP,
                    format!(
                        "operand {name} {op:?} reaches past its buffer of {} elements",
                        buf.len()
                    ),
                ));
            }
        }
    }
    let batches = (b0 * b1) as u64;
    let max_dim = u64::from(ctx.limits().max_compute_workgroups_per_dimension);
    if batches > max_dim {
        return Err(invalid(
            OP,
            format!("{batches} batches exceed the dispatch limit {max_dim}"),
        ));
    }

    if dtype == DType::F16 && !ctx.has_f16() {
        let a32 = cast(ctx, a, DType::F32)?;
        let b32 = cast(ctx, b, DType::F32)?;
        let c32 = matmul(ctx, &a32, &b32, args)?;
        return cast(ctx, &c32, DType::F16);
    }

    let out = ctx.alloc(out_len, dtype)?;
    let meta = args.meta();
    let use_subgroup = match args.algo {
        MatmulAlgo::Subgroup => {
            if !ctx.has_subgroups() {
                return Err(GpuError::MissingFeature {
                    op: OP,
                    feature: "SUBGROUP",
                });
            }
            if dtype != DType::F32 {
                return Err(invalid(OP, "the subgroup kernel is f32 only"));
            }
            true
        }
        MatmulAlgo::Tiled => false,
        MatmulAlgo::Auto => ctx.has_subgroups() && dtype == DType::F32 && args.m <= 8,
    };
    if use_subgroup && (args.n as u64) <= max_dim && (args.m as u64) <= max_dim {
        ctx.run(
            &SUBGROUP,
            &[("WG", SUBGROUP_WG)],
            &[a, b, &out],
            &meta,
            (args.n as u32, args.m as u32, batches as u32),
        )?;
        return Ok(out);
    }
    let [bm, bn, bk, tm, tn] = if args.m <= 32 || args.n <= 32 {
        TILE_SMALL
    } else {
        TILE_LARGE
    };
    let gx = (args.n as u64).div_ceil(u64::from(bn));
    let gy = (args.m as u64).div_ceil(u64::from(bm));
    if gx > max_dim || gy > max_dim {
        return Err(invalid(
            OP,
            format!("{}x{} output exceeds the dispatch limit", args.m, args.n),
        ));
    }
    let consts = [
        ("BM", bm),
        ("BN", bn),
        ("BK", bk),
        ("TM", tm),
        ("TN", tn),
        ("A_T", u32::from(args.a.rows_fast())),
        ("B_T", u32::from(args.b.rows_fast())),
    ];
    let kernel = if dtype == DType::F16 {
        &TILED_F16
    } else {
        &TILED
    };
    ctx.run(
        kernel,
        &consts,
        &[a, b, &out],
        &meta,
        (gx as u32, gy as u32, batches as u32),
    )?;
    Ok(out)
}
