//! Strided layout: how a tensor's logical indices map into its storage.

use crate::shape::Shape;

/// Shape, strides (in elements) and the storage offset of the first element.
///
/// Views (transpose, permute, narrow, expand, …) only change the layout and share storage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    shape: Shape,
    strides: Vec<usize>,
    offset: usize,
}

impl Layout {
    /// A row-major contiguous layout starting at offset 0.
    pub fn contiguous(shape: Shape) -> Self {
        let strides = shape.contiguous_strides();
        Layout {
            shape,
            strides,
            offset: 0,
        }
    }

    /// A layout from explicit parts (callers guarantee every index stays inside the storage).
    pub(crate) fn from_parts(shape: Shape, strides: Vec<usize>, offset: usize) -> Self {
        debug_assert_eq!(shape.rank(), strides.len());
        Layout {
            shape,
            strides,
            offset,
        }
    }

    /// The logical shape.
    pub fn shape(&self) -> &Shape {
        &self.shape
    }

    /// The logical dimension sizes.
    pub fn dims(&self) -> &[usize] {
        self.shape.dims()
    }

    /// Strides in elements, one per dimension.
    pub fn strides(&self) -> &[usize] {
        &self.strides
    }

    /// Storage index of the first element.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// True when the elements are stored row-major without gaps (size-1 dims ignored).
    pub fn is_contiguous(&self) -> bool {
        let mut expected = 1;
        for (&size, &stride) in self.dims().iter().zip(&self.strides).rev() {
            if size != 1 && stride != expected {
                return false;
            }
            expected *= size;
        }
        true
    }

    /// The storage range `[offset, offset + numel)` when the layout is contiguous.
    pub fn contiguous_range(&self) -> Option<std::ops::Range<usize>> {
        self.is_contiguous()
            .then(|| self.offset..self.offset + self.shape.numel())
    }

    /// Swaps two dimensions.
    pub(crate) fn transpose(&self, d0: usize, d1: usize) -> Layout {
        let mut dims = self.dims().to_vec();
        let mut strides = self.strides.clone();
        dims.swap(d0, d1);
        strides.swap(d0, d1);
        Layout::from_parts(Shape::new(dims), strides, self.offset)
    }

    /// Reorders dimensions: output dim `i` is input dim `perm[i]`.
    pub(crate) fn permute(&self, perm: &[usize]) -> Layout {
        let dims = perm.iter().map(|&p| self.dims()[p]).collect();
        let strides = perm.iter().map(|&p| self.strides[p]).collect();
        Layout::from_parts(Shape::new(dims), strides, self.offset)
    }

    /// Keeps `len` indices of `dim` starting at `start`.
    pub(crate) fn narrow(&self, dim: usize, start: usize, len: usize) -> Layout {
        let mut dims = self.dims().to_vec();
        dims[dim] = len;
        let offset = if len == 0 {
            self.offset
        } else {
            self.offset + start * self.strides[dim]
        };
        Layout::from_parts(Shape::new(dims), self.strides.clone(), offset)
    }

    /// Removes `dim` by fixing its index.
    pub(crate) fn select(&self, dim: usize, index: usize) -> Layout {
        let mut dims = self.dims().to_vec();
        let mut strides = self.strides.clone();
        let offset = self.offset + index * strides[dim];
        dims.remove(dim);
        strides.remove(dim);
        Layout::from_parts(Shape::new(dims), strides, offset)
    }

    /// Inserts a size-1 dimension at `dim`.
    pub(crate) fn unsqueeze(&self, dim: usize) -> Layout {
        let mut dims = self.dims().to_vec();
        let mut strides = self.strides.clone();
        let stride = if dim < strides.len() {
            strides[dim] * dims[dim]
        } else {
            1
        };
        dims.insert(dim, 1);
        strides.insert(dim, stride);
        Layout::from_parts(Shape::new(dims), strides, self.offset)
    }

    /// Removes the size-1 dimension `dim`.
    pub(crate) fn squeeze(&self, dim: usize) -> Layout {
        let mut dims = self.dims().to_vec();
        let mut strides = self.strides.clone();
        dims.remove(dim);
        strides.remove(dim);
        Layout::from_parts(Shape::new(dims), strides, self.offset)
    }

    /// Broadcasts to `shape` (stride 0 on expanded dims), `None` if the shapes are incompatible.
    pub(crate) fn broadcast_to(&self, shape: &Shape) -> Option<Layout> {
        let rank = shape.rank();
        if rank < self.shape.rank() {
            return None;
        }
        let lead = rank - self.shape.rank();
        let mut strides = vec![0; rank];
        for (i, &target) in shape.dims().iter().enumerate() {
            if i < lead {
                continue;
            }
            let size = self.dims()[i - lead];
            if size == target {
                strides[i] = if size == 1 { 0 } else { self.strides[i - lead] };
            } else if size == 1 {
                strides[i] = 0;
            } else {
                return None;
            }
        }
        Some(Layout::from_parts(shape.clone(), strides, self.offset))
    }

    /// A view with the new shape over the same elements, when the strides allow it without a
    /// copy (PyTorch's `view` rule: each group of merged/split dims must be contiguous).
    pub(crate) fn reshape(&self, shape: &Shape) -> Option<Layout> {
        if self.is_contiguous() {
            return Some(Layout::from_parts(
                shape.clone(),
                shape.contiguous_strides(),
                self.offset,
            ));
        }
        // Drop size-1 dims, then match chunks of old dims with chunks of new dims.
        let old: Vec<(usize, usize)> = self
            .dims()
            .iter()
            .zip(&self.strides)
            .filter(|(d, _)| **d != 1)
            .map(|(&d, &s)| (d, s))
            .collect();
        let new_dims = shape.dims();
        let mut new_strides = vec![0; new_dims.len()];
        let (mut oi, mut ni) = (0, 0);
        while ni < new_dims.len() || oi < old.len() {
            // Skip size-1 target dims: any stride works.
            if ni < new_dims.len() && new_dims[ni] == 1 {
                new_strides[ni] = 1;
                ni += 1;
                continue;
            }
            if oi >= old.len() || ni >= new_dims.len() {
                return None;
            }
            // Gather a run of old dims that is contiguous within itself.
            let (mut old_size, mut new_size) = (old[oi].0, new_dims[ni]);
            let mut run_end = oi;
            let new_start = ni;
            while old_size != new_size {
                if old_size < new_size {
                    run_end += 1;
                    if run_end >= old.len() || old[run_end - 1].1 != old[run_end].0 * old[run_end].1
                    {
                        return None;
                    }
                    old_size *= old[run_end].0;
                } else {
                    ni += 1;
                    if ni >= new_dims.len() {
                        return None;
                    }
                    new_size *= new_dims[ni];
                }
            }
            // Strides for new dims new_start..=ni, innermost takes the run's innermost stride.
            let mut stride = old[run_end].1;
            for k in (new_start..=ni).rev() {
                new_strides[k] = stride;
                stride *= new_dims[k];
            }
            oi = run_end + 1;
            ni += 1;
        }
        Some(Layout::from_parts(shape.clone(), new_strides, self.offset))
    }

    /// Merges adjacent dims that are contiguous with each other in this layout, returning
    /// `(sizes, strides)` with at least one dim. Used by kernels to lengthen their inner loop.
    pub(crate) fn coalesced(&self) -> (Vec<usize>, Vec<usize>) {
        coalesce(self.dims(), &[&self.strides])
            .map(|(d, mut s)| (d, s.remove(0)))
            .unwrap_or((vec![1], vec![1]))
    }
}

/// Merges adjacent dims that are contiguous with respect to each other in every stride set.
/// Returns `None` for a 0-d shape. The result keeps at least one dim.
pub(crate) fn coalesce(
    dims: &[usize],
    strides: &[&[usize]],
) -> Option<(Vec<usize>, Vec<Vec<usize>>)> {
    if dims.is_empty() {
        return None;
    }
    let mut out_dims = vec![dims[0]];
    let mut out_strides: Vec<Vec<usize>> = strides.iter().map(|s| vec![s[0]]).collect();
    for i in 1..dims.len() {
        let last = out_dims.len() - 1;
        let mergeable = strides
            .iter()
            .zip(&out_strides)
            .all(|(s, o)| o[last] == s[i] * dims[i]);
        if dims[i] == 1 {
            continue;
        }
        if out_dims[last] == 1 {
            out_dims[last] = dims[i];
            for (o, s) in out_strides.iter_mut().zip(strides) {
                o[last] = s[i];
            }
        } else if mergeable {
            out_dims[last] *= dims[i];
            for (o, s) in out_strides.iter_mut().zip(strides) {
                o[last] = s[i];
            }
        } else {
            out_dims.push(dims[i]);
            for (o, s) in out_strides.iter_mut().zip(strides) {
                o.push(s[i]);
            }
        }
    }
    Some((out_dims, out_strides))
}
