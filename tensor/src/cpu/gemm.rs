//! Matrix-product kernels on strided operands: `gemm` (sarah-ek's crate) for f32/f64, a plain
//! multiply-accumulate loop for integers.
//!
//! Why `gemm`: it is maintained, has AVX2+FMA micro-kernels selected at run time,
//! threads through rayon, and takes arbitrary row/column strides, so transposed views are
//! multiplied without a copy. f16/bf16 are converted to f32 by the caller (one rounding at the
//! end, f32 accumulation), which is why the crate's own `f16` feature is left off.

use gemm::Parallelism;
use rayon::prelude::*;

/// Products with fewer multiply-adds than this run on the calling thread (64³).
pub(crate) const PARALLEL_FLOPS: usize = 64 * 64 * 64;

/// Products per thread from which a batch that does not divide evenly among the threads still
/// runs one product per thread: the last, partly idle round is then a small part of the work.
const BATCH_ROUNDS: usize = 4;

/// One matrix operand: its storage, the index of element `[0, 0]` and its row/column strides
/// (in elements). Every index `offset + i·row_stride + j·col_stride` with `i < rows`,
/// `j < cols` must lie inside `data`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MatRef<'a, T> {
    pub data: &'a [T],
    pub offset: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<T: Copy> MatRef<'_, T> {
    /// Element `[i, j]`.
    #[inline]
    fn at(&self, i: usize, j: usize) -> T {
        self.data[self.offset + i * self.row_stride + j * self.col_stride]
    }

    /// Panics unless every element of an `rows × cols` matrix lies inside the storage.
    fn check_bounds(&self, rows: usize, cols: usize) {
        if rows == 0 || cols == 0 {
            return;
        }
        let last = self.offset + (rows - 1) * self.row_stride + (cols - 1) * self.col_stride;
        assert!(
            last < self.data.len(),
            "gemm: operand view reaches past its storage"
        );
    }
}

/// An element type with a matrix-product kernel: `dst (m×n, row-major) = lhs (m×k) · rhs (k×n)`.
pub(crate) trait Gemm: Copy + Default + Send + Sync + 'static {
    /// Overwrites `dst` with the product, using up to `threads` rayon threads (1 = serial).
    fn gemm(
        dims: (usize, usize, usize),
        lhs: MatRef<'_, Self>,
        rhs: MatRef<'_, Self>,
        dst: &mut [Self],
        threads: usize,
    );
}

/// The `gemm` crate's kernels for its float types.
fn crate_gemm<T: Copy + Default + 'static>(
    (m, n, k): (usize, usize, usize),
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    dst: &mut [T],
    threads: usize,
    one: T,
) {
    assert_eq!(dst.len(), m * n, "gemm: destination has the wrong size");
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        dst.fill(T::default());
        return;
    }
    lhs.check_bounds(m, k);
    rhs.check_bounds(k, n);
    let parallelism = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    // SAFETY: `check_bounds` proved that every element the kernel reads lies inside its slice,
    // `dst` holds exactly `m·n` elements written with row stride `n`, and strides fit `isize`
    // because they index allocated slices. `read_dst = false` means `dst` is only written.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            lhs.data.as_ptr().add(lhs.offset),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr().add(rhs.offset),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            T::default(),
            one,
            false,
            false,
            false,
            parallelism,
        );
    }
}

impl Gemm for f32 {
    fn gemm(
        dims: (usize, usize, usize),
        lhs: MatRef<'_, f32>,
        rhs: MatRef<'_, f32>,
        dst: &mut [f32],
        threads: usize,
    ) {
        #[cfg(target_arch = "x86_64")]
        if super::gemm_avx512::suits(dims) && super::simd::has_avx512() {
            assert_eq!(
                dst.len(),
                dims.0 * dims.1,
                "gemm: destination has the wrong size"
            );
            lhs.check_bounds(dims.0, dims.2);
            rhs.check_bounds(dims.2, dims.1);
            super::gemm_avx512::sgemm(dims, lhs, rhs, dst, threads);
            return;
        }
        crate_gemm(dims, lhs, rhs, dst, threads, 1.0);
    }
}

impl Gemm for f64 {
    fn gemm(
        dims: (usize, usize, usize),
        lhs: MatRef<'_, f64>,
        rhs: MatRef<'_, f64>,
        dst: &mut [f64],
        threads: usize,
    ) {
        crate_gemm(dims, lhs, rhs, dst, threads, 1.0);
    }
}

/// The integer kernel: row-by-row multiply-accumulate with wrapping overflow (as PyTorch's
/// integer matmul wraps). Rows are split across threads when `threads > 1`.
fn int_gemm<T: Copy + Default + Send + Sync>(
    (m, n, k): (usize, usize, usize),
    lhs: MatRef<'_, T>,
    rhs: MatRef<'_, T>,
    dst: &mut [T],
    threads: usize,
    mul_add: impl Fn(T, T, T) -> T + Sync,
) {
    assert_eq!(dst.len(), m * n, "gemm: destination has the wrong size");
    if m == 0 || n == 0 {
        return;
    }
    let row = |i: usize, out: &mut [T]| {
        out.fill(T::default());
        for p in 0..k {
            let a = lhs.at(i, p);
            for (j, o) in out.iter_mut().enumerate() {
                *o = mul_add(*o, a, rhs.at(p, j));
            }
        }
    };
    if threads > 1 {
        dst.par_chunks_mut(n)
            .enumerate()
            .for_each(|(i, out)| row(i, out));
    } else {
        dst.chunks_mut(n)
            .enumerate()
            .for_each(|(i, out)| row(i, out));
    }
}

impl Gemm for i64 {
    fn gemm(
        dims: (usize, usize, usize),
        lhs: MatRef<'_, i64>,
        rhs: MatRef<'_, i64>,
        dst: &mut [i64],
        threads: usize,
    ) {
        int_gemm(dims, lhs, rhs, dst, threads, |acc, a, b| {
            acc.wrapping_add(a.wrapping_mul(b))
        });
    }
}

impl Gemm for u8 {
    fn gemm(
        dims: (usize, usize, usize),
        lhs: MatRef<'_, u8>,
        rhs: MatRef<'_, u8>,
        dst: &mut [u8],
        threads: usize,
    ) {
        int_gemm(dims, lhs, rhs, dst, threads, |acc, a, b| {
            acc.wrapping_add(a.wrapping_mul(b))
        });
    }
}

/// A batch of products `dst[b] = lhs[b] · rhs[b]` (each `m×n`, stored one after another in
/// `dst`), the operands of product `b` starting at `lhs_offsets[b]` / `rhs_offsets[b]`.
///
/// Threading (`RAYON_NUM_THREADS` threads), once the batch's work reaches [`PARALLEL_FLOPS`]:
/// a batch that the threads share evenly (a multiple of the thread count, or at least
/// [`BATCH_ROUNDS`] products per thread) runs whole products on one thread each; otherwise
/// each product of at least [`PARALLEL_FLOPS`] is split across all threads in turn. One
/// product per thread needs no hand-off inside a product, which for many small products (a
/// convolution's per-image products, attention heads) costs more than the products.
pub(crate) fn batched_gemm<T: Gemm>(
    (m, n, k): (usize, usize, usize),
    lhs: MatRef<'_, T>,
    lhs_offsets: &[usize],
    rhs: MatRef<'_, T>,
    rhs_offsets: &[usize],
    dst: &mut [T],
) {
    let batch = lhs_offsets.len();
    debug_assert_eq!(batch, rhs_offsets.len());
    debug_assert_eq!(dst.len(), batch * m * n);
    if m * n == 0 {
        return;
    }
    let threads = rayon::current_num_threads();
    let flops = m * n * k;
    let one = |b: usize, out: &mut [T], threads: usize| {
        let l = MatRef {
            offset: lhs_offsets[b],
            ..lhs
        };
        let r = MatRef {
            offset: rhs_offsets[b],
            ..rhs
        };
        T::gemm((m, n, k), l, r, out, threads);
    };
    let even_batch = batch.is_multiple_of(threads) || batch >= BATCH_ROUNDS * threads;
    if threads > 1 && even_batch && flops.saturating_mul(batch) >= PARALLEL_FLOPS {
        dst.par_chunks_mut(m * n)
            .enumerate()
            .for_each(|(b, out)| one(b, out, 1));
    } else {
        let threads = if flops >= PARALLEL_FLOPS { threads } else { 1 };
        for (b, out) in dst.chunks_mut(m * n).enumerate() {
            one(b, out, threads);
        }
    }
}
