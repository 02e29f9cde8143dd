//! Strided views of buffers: shape, strides and offset in elements.

use crate::error::{Result, invalid};

/// Most dimensions a strided kernel handles.
pub const MAX_DIMS: usize = 6;

/// A strided view into a buffer, all in elements (`torch.Tensor.size()`, `.stride()`,
/// `.storage_offset()`). Stride 0 repeats an element (broadcast / `expand`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StridedLayout {
    /// Size of each dimension.
    pub shape: Vec<usize>,
    /// Step between neighbours along each dimension.
    pub strides: Vec<usize>,
    /// Index of the first element.
    pub offset: usize,
}

impl StridedLayout {
    /// Row-major contiguous layout of `shape` starting at element 0.
    pub fn contiguous(shape: &[usize]) -> Self {
        let mut strides = vec![0; shape.len()];
        let mut acc = 1;
        for d in (0..shape.len()).rev() {
            strides[d] = acc;
            acc *= shape[d];
        }
        StridedLayout {
            shape: shape.to_vec(),
            strides,
            offset: 0,
        }
    }

    /// A layout from explicit parts.
    pub fn new(shape: &[usize], strides: &[usize], offset: usize) -> Self {
        StridedLayout {
            shape: shape.to_vec(),
            strides: strides.to_vec(),
            offset,
        }
    }

    /// Number of elements in the view.
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The same view with dimensions `a` and `b` swapped (`torch.Tensor.transpose`).
    pub fn transposed(&self, a: usize, b: usize) -> Self {
        let mut t = self.clone();
        t.shape.swap(a, b);
        t.strides.swap(a, b);
        t
    }

    /// Whether the view is row-major contiguous (offset allowed).
    pub fn is_contiguous(&self) -> bool {
        let c = StridedLayout::contiguous(&self.shape);
        self.shape
            .iter()
            .zip(self.strides.iter().zip(&c.strides))
            .all(|(&n, (&s, &cs))| n == 1 || s == cs)
    }

    /// The view with `shape` broadcast to `target` (`torch.Tensor.expand`): leading dimensions
    /// are added with stride 0 and size-1 dimensions get stride 0.
    pub fn broadcast_to(&self, target: &[usize]) -> Result<Self> {
        if target.len() < self.shape.len() {
            return Err(invalid(
                "broadcast",
                format!("cannot broadcast {:?} to {:?}", self.shape, target),
            ));
        }
        let lead = target.len() - self.shape.len();
        let mut strides = vec![0; target.len()];
        for (i, &t) in target.iter().enumerate().skip(lead) {
            let (n, s) = (self.shape[i - lead], self.strides[i - lead]);
            strides[i] = if n == t {
                s
            } else if n == 1 {
                0
            } else {
                return Err(invalid(
                    "broadcast",
                    format!("cannot broadcast {:?} to {:?}", self.shape, target),
                ));
            };
        }
        Ok(StridedLayout {
            shape: target.to_vec(),
            strides,
            offset: self.offset,
        })
    }

    /// Checks the rank against [`MAX_DIMS`] and that every element lies inside `buffer_len`.
    pub(crate) fn validate(&self, op: &'static str, buffer_len: usize) -> Result<()> {
        if self.shape.len() != self.strides.len() {
            return Err(invalid(op, "shape and strides differ in length"));
        }
        if self.shape.len() > MAX_DIMS {
            return Err(invalid(
                op,
                format!(
                    "{} dims exceed the kernel limit of {MAX_DIMS}",
                    self.shape.len()
                ),
            ));
        }
        if self.numel() == 0 {
            return Ok(());
        }
        let last = self
            .shape
            .iter()
            .zip(&self.strides)
            .try_fold(self.offset, |acc, (&n, &s)| {
                (n - 1).checked_mul(s).and_then(|x| x.checked_add(acc))
            });
        match last {
            Some(l) if l < buffer_len && l <= u32::MAX as usize => Ok(()),
            _ => Err(invalid(
                op,
                format!(
                    "view shape {:?} strides {:?} offset {} reaches past a buffer of {buffer_len} elements",
                    self.shape, self.strides, self.offset
                ),
            )),
        }
    }

    /// Encodes `[rank, offset, shape.., strides..]` padded to [`MAX_DIMS`] (for the kernels'
    /// metadata buffers).
    pub(crate) fn encode(&self) -> Vec<u32> {
        let mut v = vec![self.shape.len() as u32, self.offset as u32];
        let mut shape = [1u32; MAX_DIMS];
        let mut strides = [0u32; MAX_DIMS];
        for (i, (&n, &s)) in self.shape.iter().zip(&self.strides).enumerate() {
            shape[i] = n as u32;
            strides[i] = s as u32;
        }
        v.extend_from_slice(&shape);
        v.extend_from_slice(&strides);
        v
    }
}

/// Numpy/PyTorch broadcast of two shapes (`torch.broadcast_shapes`).
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for (i, o) in out.iter_mut().enumerate() {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        *o = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(invalid(
                "broadcast",
                format!("shapes {a:?} and {b:?} do not broadcast"),
            ));
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_rules() {
        assert_eq!(broadcast_shapes(&[3, 1], &[4]).unwrap(), vec![3, 4]);
        assert!(broadcast_shapes(&[3], &[4]).is_err());
        let l = StridedLayout::contiguous(&[3, 1])
            .broadcast_to(&[2, 3, 4])
            .unwrap();
        assert_eq!(l.strides, vec![0, 1, 0]);
    }

    #[test]
    fn validate_catches_out_of_bounds_views() {
        let l = StridedLayout::new(&[2, 3], &[3, 1], 1);
        assert!(l.validate("t", 6).is_err());
        assert!(l.validate("t", 7).is_ok());
        assert!(StridedLayout::contiguous(&[1; 7]).validate("t", 1).is_err());
    }
}
