//! Turning "reduce these dims of this tensor" into a contiguous `[outer, reduced, inner]` buffer.

use crate::dtype::Element;
use crate::ops::reduce::kernel::{self, Extent, Fold};
use crate::shape::{Dim, Shape};
use crate::tensor::Tensor;

/// A reduction ready to run: the input arranged so the kernels see `[outer, reduced, inner]`,
/// and the shape of the result.
pub(crate) struct Reduction {
    input: Tensor,
    extent: Extent,
    out_shape: Shape,
}

/// Resolves `dims` (negative allowed, empty = every dim) into a per-dim mask. Panics naming `op`
/// on an out-of-range or repeated dim, as PyTorch does.
fn reduced_mask(t: &Tensor, dims: &[i64], op: &str) -> Vec<bool> {
    let rank = t.dim();
    if dims.is_empty() {
        return vec![true; rank];
    }
    let mut mask = vec![false; rank];
    for &d in dims {
        let i = d.resolve(rank, op);
        if rank == 0 {
            continue;
        }
        assert!(
            !mask[i],
            "{op}: dim {i} appears multiple times in the list of dims"
        );
        mask[i] = true;
    }
    mask
}

impl Reduction {
    /// Plans reducing `dims` of `t` (empty = all). With `rows_only` the result always has
    /// `inner == 1` (reduced dims moved last), for kernels that need each output's values
    /// contiguous.
    pub(crate) fn new(
        t: &Tensor,
        dims: &[i64],
        keepdim: bool,
        rows_only: bool,
        op: &str,
    ) -> Reduction {
        let mask = reduced_mask(t, dims, op);
        Reduction::from_mask(t, &mask, keepdim, rows_only)
    }

    /// Plans reducing the single dim `dim` of `t` (a 0-d tensor accepts 0 and -1).
    pub(crate) fn single(
        t: &Tensor,
        dim: impl Dim,
        keepdim: bool,
        rows_only: bool,
        op: &str,
    ) -> Reduction {
        let d = dim.resolve(t.dim(), op);
        let mask: Vec<bool> = (0..t.dim()).map(|i| i == d).collect();
        Reduction::from_mask(t, &mask, keepdim, rows_only)
    }

    /// Plans reducing every element into a 0-d result.
    pub(crate) fn all(t: &Tensor) -> Reduction {
        Reduction::from_mask(t, &vec![true; t.dim()], false, true)
    }

    fn from_mask(t: &Tensor, mask: &[bool], keepdim: bool, rows_only: bool) -> Reduction {
        let dims = t.dims();
        let out_dims: Vec<usize> = dims
            .iter()
            .zip(mask)
            .filter_map(|(&d, &m)| match (m, keepdim) {
                (false, _) => Some(d),
                (true, true) => Some(1),
                (true, false) => None,
            })
            .collect();
        let out_shape = Shape::new(out_dims);
        let reduced: usize = dims
            .iter()
            .zip(mask)
            .filter(|(_, m)| **m)
            .map(|(d, _)| d)
            .product();
        let kept: usize = dims
            .iter()
            .zip(mask)
            .filter(|(_, m)| !**m)
            .map(|(d, _)| d)
            .product();
        // Contiguous input whose reduced dims (ignoring size-1 dims) form one block: no copy.
        if t.is_contiguous() {
            let big: Vec<(usize, bool)> = dims
                .iter()
                .zip(mask)
                .filter(|(d, _)| **d != 1)
                .map(|(&d, &m)| (d, m))
                .collect();
            let extent = match (big.iter().position(|b| b.1), big.iter().rposition(|b| b.1)) {
                (Some(first), Some(last)) if big[first..=last].iter().all(|b| b.1) => {
                    let outer = big[..first].iter().map(|b| b.0).product();
                    let inner = big[last + 1..].iter().map(|b| b.0).product();
                    Some(Extent {
                        outer,
                        reduced,
                        inner,
                    })
                }
                (None, _) => Some(Extent {
                    outer: kept,
                    reduced,
                    inner: 1,
                }),
                _ => None,
            };
            if let Some(extent) = extent.filter(|e| !rows_only || e.inner == 1) {
                return Reduction {
                    input: t.clone(),
                    extent,
                    out_shape,
                };
            }
        }
        // Otherwise move the reduced dims last and copy.
        let order: Vec<i64> = (0..dims.len())
            .filter(|&i| !mask[i])
            .chain((0..dims.len()).filter(|&i| mask[i]))
            .map(|i| i as i64)
            .collect();
        let input = t.permute(&order).contiguous();
        Reduction {
            input,
            extent: Extent {
                outer: kept,
                reduced,
                inner: 1,
            },
            out_shape,
        }
    }

    /// Number of values folded into each output.
    pub(crate) fn reduced(&self) -> usize {
        self.extent.reduced
    }

    /// Number of outputs.
    pub(crate) fn outputs(&self) -> usize {
        self.extent.outer * self.extent.inner
    }

    /// The input elements in `[outer, reduced, inner]` order.
    fn data<T: Element>(&self, op: &str) -> &[T] {
        let (src, layout) = self.input.typed::<T>(op);
        let range = layout
            .contiguous_range()
            .expect("reduction input is contiguous");
        &src[range]
    }

    /// The first input element (a neutral start for folds such as max). Panics when empty.
    pub(crate) fn first<T: Element>(&self, op: &str) -> T {
        self.data::<T>(op)[0]
    }

    /// Runs the fold `f` over every output.
    pub(crate) fn fold<T: Element, F: Fold<T>>(&self, f: &F, op: &str) -> Vec<F::Acc> {
        kernel::reduce(f, self.data::<T>(op), self.extent)
    }

    /// Applies `g` to each output's contiguous run of reduced values. Only for plans made with
    /// `rows_only`.
    pub(crate) fn map_rows<T: Element, U: Send>(
        &self,
        op: &str,
        g: impl Fn(&[T]) -> U + Sync,
    ) -> Vec<U> {
        debug_assert_eq!(self.extent.inner, 1);
        kernel::map_rows(
            self.data::<T>(op),
            self.extent.reduced,
            self.extent.outer,
            g,
        )
    }

    /// Wraps per-output values as the result tensor.
    pub(crate) fn output<T: Element>(&self, values: Vec<T>) -> Tensor {
        Tensor::from_vec(values, self.out_shape.clone())
    }
}
