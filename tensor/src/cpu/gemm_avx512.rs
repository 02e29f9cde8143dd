//! f32 matrix product for CPUs with AVX-512: packed panels and a 12 × 32 register tile, in
//! the blocked layout of BLIS (Goto's algorithm).
//!
//! Why Kiln has its own: on AMD Zen 5, whose AVX-512 units are a full 512 bits wide, the
//! `gemm` crate's kernels reached about 37% of the FMA peak at BERT's shapes, and PyTorch's
//! MKL about the same; this kernel is limited by FMAs, not by loads.
//!
//! Layout: for each block of `KC` steps along `k` and `NC` columns, `B` is packed into
//! panels of [`NR`] columns (`k`-major, zero-padded), then each thread packs its blocks of
//! [`MC`] rows of `A` into panels of [`MR`] rows and runs the micro-kernel over every pair of
//! panels. A `B` panel (`KC × NR` floats, 32 KiB) stays in L1 while the `A` panels of a block
//! stream from L2.

use std::arch::x86_64::*;
use std::cell::RefCell;

use rayon::prelude::*;

use super::gemm::MatRef;

/// Rows of the register tile: 12 rows × 2 vectors are 24 of the 32 `zmm` accumulators.
const MR: usize = 12;
/// Columns of the register tile: two 16-lane vectors.
const NR: usize = 32;
/// Longest block along `k`: one `B` panel is `KC × NR` floats (32 KiB, within L1).
const KC: usize = 256;
/// Rows of `A` packed at a time (`MC × KC` floats, 192 KiB, within L2).
const MC: usize = 192;
/// Columns of `B` packed at a time (`KC × NC` floats, 2 MiB).
const NC: usize = 2048;

/// A 64-byte aligned line of 16 floats, so that packed panels start on a cache line.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([f32; 16]);

thread_local! {
    /// This thread's packed `A` block, reused from call to call.
    static PACKED_A: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
    /// The calling thread's packed `B` block, reused from call to call.
    static PACKED_B: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on at least `floats` floats of the thread-local buffer `cache`; a fresh buffer
/// when the cached one is in use further up this thread's stack (a rayon worker that steals
/// another product while it waits).
fn with_buffer<R>(
    cache: &'static std::thread::LocalKey<RefCell<Vec<Line>>>,
    floats: usize,
    f: impl FnOnce(&mut [f32]) -> R,
) -> R {
    let lines = floats.div_ceil(16);
    let as_floats = |v: &mut Vec<Line>| {
        if v.len() < lines {
            v.resize(lines, Line([0.0; 16]));
        }
        // SAFETY: `Line` is 16 `f32`s with no padding (`repr(C)`, 64 bytes), so `lines`
        // lines are `16 · lines` initialised floats.
        unsafe { std::slice::from_raw_parts_mut(v.as_mut_ptr().cast::<f32>(), lines * 16) }
    };
    cache.with(|cell| match cell.try_borrow_mut() {
        Ok(mut v) => f(as_floats(&mut v)),
        Err(_) => f(as_floats(&mut Vec::new())),
    })
}

/// Whether a product of these `(m, n, k)` is worth packing for: at least one whole register
/// tile and a few steps along `k`. Smaller ones stay with the `gemm` crate.
pub(crate) fn suits((m, n, k): (usize, usize, usize)) -> bool {
    m >= MR && n >= NR && k >= 8
}

/// `dst (m×n, row-major) = lhs (m×k) · rhs (k×n)` with up to `threads` rayon threads.
/// Callers check that the CPU has AVX-512 ([`super::simd::has_avx512`]), that `dst` holds
/// `m·n` floats and that both views lie inside their storage; `m`, `n`, `k` are at least 1.
pub(crate) fn sgemm(
    (m, n, k): (usize, usize, usize),
    lhs: MatRef<'_, f32>,
    rhs: MatRef<'_, f32>,
    dst: &mut [f32],
    threads: usize,
) {
    debug_assert_eq!(dst.len(), m * n);
    let k_blocks = k.div_ceil(KC);
    let kc_max = k.div_ceil(k_blocks);
    for j0 in (0..n).step_by(NC) {
        let nc = NC.min(n - j0);
        let panels = nc.div_ceil(NR);
        for (block, p0) in (0..k).step_by(kc_max).enumerate() {
            let kc = kc_max.min(k - p0);
            with_buffer(&PACKED_B, panels * NR * kc, |packed_b| {
                pack_b(rhs, (p0, kc), (j0, nc), packed_b, threads);
                let block = Block {
                    lhs,
                    packed_b,
                    k: (p0, kc),
                    cols: (j0, nc),
                    accumulate: block > 0,
                };
                block.multiply(m, n, dst, threads);
            });
        }
    }
}

/// Packs `rhs[p0..p0+kc, j0..j0+nc]` into panels of [`NR`] columns: panel `q` holds, for each
/// step `p`, columns `j0 + q·NR ..` (zeros past `nc`).
fn pack_b(
    rhs: MatRef<'_, f32>,
    (p0, kc): (usize, usize),
    (j0, nc): (usize, usize),
    packed: &mut [f32],
    threads: usize,
) {
    let pack_panel = |q: usize, panel: &mut [f32]| {
        let cols = NR.min(nc - q * NR);
        let base = rhs.offset + p0 * rhs.row_stride + (j0 + q * NR) * rhs.col_stride;
        if rhs.col_stride == 1 {
            for (p, out) in panel.chunks_exact_mut(NR).enumerate() {
                let row = base + p * rhs.row_stride;
                out[..cols].copy_from_slice(&rhs.data[row..row + cols]);
                out[cols..].fill(0.0);
            }
        } else {
            // Column by column: each column of `rhs` is read in order along `k` (the
            // transposed weight of a linear layer is contiguous that way).
            for c in 0..NR {
                if c < cols {
                    let col = base + c * rhs.col_stride;
                    for p in 0..kc {
                        panel[p * NR + c] = rhs.data[col + p * rhs.row_stride];
                    }
                } else {
                    for p in 0..kc {
                        panel[p * NR + c] = 0.0;
                    }
                }
            }
        }
    };
    let panels = nc.div_ceil(NR);
    let packed = &mut packed[..panels * NR * kc];
    if threads > 1 && panels > 1 {
        packed
            .par_chunks_mut(NR * kc)
            .enumerate()
            .for_each(|(q, panel)| pack_panel(q, panel));
    } else {
        for (q, panel) in packed.chunks_mut(NR * kc).enumerate() {
            pack_panel(q, panel);
        }
    }
}

/// Packs `lhs[i0..i0+mc, p0..p0+kc]` into panels of [`MR`] rows: panel `q` holds, for each
/// step `p`, rows `i0 + q·MR ..` (zeros past `mc`).
fn pack_a(
    lhs: MatRef<'_, f32>,
    (i0, mc): (usize, usize),
    (p0, kc): (usize, usize),
    packed: &mut [f32],
) {
    for (q, panel) in packed[..mc.div_ceil(MR) * MR * kc]
        .chunks_exact_mut(MR * kc)
        .enumerate()
    {
        let rows = MR.min(mc - q * MR);
        let base = lhs.offset + (i0 + q * MR) * lhs.row_stride + p0 * lhs.col_stride;
        if rows == MR {
            let starts: [usize; MR] = std::array::from_fn(|r| base + r * lhs.row_stride);
            for (p, out) in panel.chunks_exact_mut(MR).enumerate() {
                let at = p * lhs.col_stride;
                for r in 0..MR {
                    out[r] = lhs.data[starts[r] + at];
                }
            }
        } else {
            for (p, out) in panel.chunks_exact_mut(MR).enumerate() {
                for (r, o) in out.iter_mut().enumerate() {
                    *o = if r < rows {
                        lhs.data[base + r * lhs.row_stride + p * lhs.col_stride]
                    } else {
                        0.0
                    };
                }
            }
        }
    }
}

/// One `KC × NC` block of the product: `B` already packed, `A` packed per thread.
struct Block<'a> {
    lhs: MatRef<'a, f32>,
    packed_b: &'a [f32],
    /// First step along `k` and the block's length.
    k: (usize, usize),
    /// First column and the block's width.
    cols: (usize, usize),
    /// Add to `dst` (every block after the first along `k`) instead of overwriting it.
    accumulate: bool,
}

impl Block<'_> {
    /// Runs the block over all `m` rows, split among `threads` threads by rows (or, when
    /// there are too few rows, by panels of `B`).
    fn multiply(&self, m: usize, n: usize, dst: &mut [f32], threads: usize) {
        let panels = self.cols.1.div_ceil(NR);
        let row_tiles = m.div_ceil(MR);
        if threads <= 1 {
            self.run((0, m), (0, panels), n, dst.as_mut_ptr());
            return;
        }
        let dst = SendPtr(dst.as_mut_ptr());
        if row_tiles >= 2 * threads {
            let per = row_tiles.div_ceil(threads) * MR;
            (0..m.div_ceil(per)).into_par_iter().for_each(|t| {
                let rows = (t * per, per.min(m - t * per));
                self.run(rows, (0, panels), n, dst.get());
            });
        } else {
            let per = panels.div_ceil(threads);
            (0..panels.div_ceil(per)).into_par_iter().for_each(|t| {
                let range = (t * per, per.min(panels - t * per));
                self.run((0, m), range, n, dst.get());
            });
        }
    }

    /// Rows `i0 .. i0 + rows` against panels `q0 .. q0 + count`, writing through `dst` (row
    /// stride `n`). Tasks given disjoint row or panel ranges write disjoint elements.
    fn run(
        &self,
        (i0, rows): (usize, usize),
        (q0, count): (usize, usize),
        n: usize,
        dst: *mut f32,
    ) {
        let (p0, kc) = self.k;
        let (j0, nc) = self.cols;
        with_buffer(&PACKED_A, MC.min(rows).div_ceil(MR) * MR * kc, |packed_a| {
            for ib in (0..rows).step_by(MC) {
                let mc = MC.min(rows - ib);
                pack_a(self.lhs, (i0 + ib, mc), (p0, kc), packed_a);
                for q in q0..q0 + count {
                    let b = &self.packed_b[q * NR * kc..(q + 1) * NR * kc];
                    let cols = NR.min(nc - q * NR);
                    for (t, a) in packed_a[..mc.div_ceil(MR) * MR * kc]
                        .chunks_exact(MR * kc)
                        .enumerate()
                    {
                        let tile_rows = MR.min(mc - t * MR);
                        let row = i0 + ib + t * MR;
                        // SAFETY: the tile's rows `row .. row + tile_rows` and columns
                        // `j0 + q·NR .. + cols` lie inside the `m × n` destination, and no
                        // other task writes them (see `multiply`).
                        unsafe {
                            let c = dst.add(row * n + j0 + q * NR);
                            store_tile(kc, a, b, c, n, (tile_rows, cols), self.accumulate);
                        }
                    }
                }
            }
        });
    }
}

/// A raw destination pointer shared by tasks that write disjoint parts of it.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: tasks given a `SendPtr` write disjoint elements (see `Block::multiply`).
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

/// One tile: the micro-kernel straight into `c` when it is whole, else through a local tile
/// whose first `rows × cols` elements are then written (or added) to `c`.
///
/// # Safety
/// `c` points at `rows` rows (stride `ldc`) of `cols` writable floats; `a` and `b` hold
/// `MR · kc` and `NR · kc` floats; the CPU has AVX-512 F.
unsafe fn store_tile(
    kc: usize,
    a: &[f32],
    b: &[f32],
    c: *mut f32,
    ldc: usize,
    (rows, cols): (usize, usize),
    accumulate: bool,
) {
    debug_assert!(a.len() >= MR * kc && b.len() >= NR * kc);
    unsafe {
        if rows == MR && cols == NR {
            kernel(kc, a.as_ptr(), b.as_ptr(), c, ldc, accumulate);
            return;
        }
        let mut tile = [0f32; MR * NR];
        kernel(kc, a.as_ptr(), b.as_ptr(), tile.as_mut_ptr(), NR, false);
        for r in 0..rows {
            let out = std::slice::from_raw_parts_mut(c.add(r * ldc), cols);
            let computed = &tile[r * NR..r * NR + cols];
            if accumulate {
                out.iter_mut().zip(computed).for_each(|(o, v)| *o += v);
            } else {
                out.copy_from_slice(computed);
            }
        }
    }
}

/// The 12 × 32 micro-kernel: `c[MR×NR] (+)= a-panel · b-panel` over `kc` steps, 24 vector
/// accumulators, one broadcast of `a` and two loads of `b` per row step.
///
/// # Safety
/// `a` holds `MR · kc` floats, `b` holds `NR · kc` floats, `c` points at `MR` rows (stride
/// `ldc`) of `NR` writable floats, and the CPU has AVX-512 F.
#[target_feature(enable = "avx512f")]
unsafe fn kernel(
    kc: usize,
    a: *const f32,
    b: *const f32,
    c: *mut f32,
    ldc: usize,
    accumulate: bool,
) {
    unsafe {
        let mut acc = [[_mm512_setzero_ps(); 2]; MR];
        for p in 0..kc {
            let b0 = _mm512_loadu_ps(b.add(p * NR));
            let b1 = _mm512_loadu_ps(b.add(p * NR + 16));
            let ap = a.add(p * MR);
            for (r, row) in acc.iter_mut().enumerate() {
                let ar = _mm512_set1_ps(*ap.add(r));
                row[0] = _mm512_fmadd_ps(ar, b0, row[0]);
                row[1] = _mm512_fmadd_ps(ar, b1, row[1]);
            }
        }
        for (r, row) in acc.iter().enumerate() {
            let out = c.add(r * ldc);
            let (mut lo, mut hi) = (row[0], row[1]);
            if accumulate {
                lo = _mm512_add_ps(lo, _mm512_loadu_ps(out));
                hi = _mm512_add_ps(hi, _mm512_loadu_ps(out.add(16)));
            }
            _mm512_storeu_ps(out, lo);
            _mm512_storeu_ps(out.add(16), hi);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic values in [-1, 1).
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// `lhs · rhs` in f64, element by element.
    fn reference(
        (m, n, k): (usize, usize, usize),
        lhs: MatRef<'_, f32>,
        rhs: MatRef<'_, f32>,
    ) -> Vec<f64> {
        let at = |v: &MatRef<'_, f32>, i: usize, j: usize| {
            v.data[v.offset + i * v.row_stride + j * v.col_stride] as f64
        };
        let mut out = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k).map(|p| at(&lhs, i, p) * at(&rhs, p, j)).sum();
            }
        }
        out
    }

    /// Shapes with partial tiles, several `k` blocks (accumulation), several `NC` blocks, and
    /// the splits by rows and by panels; operands row-major, transposed and offset.
    #[test]
    fn matches_f64_reference_on_edges_strides_and_threads() {
        if !crate::cpu::simd::has_avx512() {
            return;
        }
        let shapes = [
            (12, 32, 8),
            (13, 33, 9),
            (25, 70, 300),
            (200, 45, 520),
            (40, 2100, 17),
            (12, 200, 64),
        ];
        for (case, &(m, n, k)) in shapes.iter().enumerate() {
            let a = values(m * k + 3, case as u64);
            let b = values(k * n + 5, 100 + case as u64);
            let layouts = [
                (
                    MatRef {
                        data: &a,
                        offset: 3,
                        row_stride: k,
                        col_stride: 1,
                    },
                    MatRef {
                        data: &b,
                        offset: 5,
                        row_stride: n,
                        col_stride: 1,
                    },
                ),
                (
                    MatRef {
                        data: &a,
                        offset: 0,
                        row_stride: 1,
                        col_stride: m,
                    },
                    MatRef {
                        data: &b,
                        offset: 0,
                        row_stride: 1,
                        col_stride: k,
                    },
                ),
            ];
            for (lhs, rhs) in layouts {
                let expected = reference((m, n, k), lhs, rhs);
                for threads in [1, 2, 3] {
                    let mut dst = vec![f32::NAN; m * n];
                    sgemm((m, n, k), lhs, rhs, &mut dst, threads);
                    for (idx, (&got, &want)) in dst.iter().zip(&expected).enumerate() {
                        let tol = 1e-5 * (k as f64).sqrt() * 4.0;
                        assert!(
                            (got as f64 - want).abs() <= tol,
                            "{m}x{n}x{k} threads {threads} [{}, {}]: {got} vs {want}",
                            idx / n,
                            idx % n
                        );
                    }
                }
            }
        }
    }
}
