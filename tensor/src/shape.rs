//! Tensor shapes, dimension arguments and broadcasting.

use std::fmt;

/// The size of each dimension, outermost first (PyTorch's `torch.Size`).
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Shape(Vec<usize>);

impl Shape {
    /// A shape from its dimension sizes.
    pub fn new(dims: Vec<usize>) -> Self {
        Shape(dims)
    }

    /// The dimension sizes.
    pub fn dims(&self) -> &[usize] {
        &self.0
    }

    /// Number of dimensions (`Tensor.dim()`).
    pub fn rank(&self) -> usize {
        self.0.len()
    }

    /// Number of elements: the product of the sizes (1 for a 0-d shape).
    pub fn numel(&self) -> usize {
        self.0.iter().product()
    }

    /// Row-major (C-contiguous) strides, in elements.
    pub fn contiguous_strides(&self) -> Vec<usize> {
        let mut strides = vec![0; self.0.len()];
        let mut acc = 1;
        for (stride, &size) in strides.iter_mut().zip(&self.0).rev() {
            *stride = acc;
            acc *= size;
        }
        strides
    }

    /// The shape two shapes broadcast to under PyTorch's rules, `None` if they do not.
    pub fn broadcast(a: &Shape, b: &Shape) -> Option<Shape> {
        let rank = a.rank().max(b.rank());
        let mut dims = vec![0; rank];
        for (i, out) in dims.iter_mut().enumerate() {
            let da = dim_from_right(a, rank - 1 - i);
            let db = dim_from_right(b, rank - 1 - i);
            *out = match (da, db) {
                (x, y) if x == y => x,
                (1, y) => y,
                (x, 1) => x,
                _ => return None,
            };
        }
        Some(Shape(dims))
    }
}

fn dim_from_right(shape: &Shape, from_right: usize) -> usize {
    if from_right < shape.rank() {
        shape.0[shape.rank() - 1 - from_right]
    } else {
        1
    }
}

impl fmt::Debug for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for Shape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

impl From<Vec<usize>> for Shape {
    fn from(dims: Vec<usize>) -> Self {
        Shape(dims)
    }
}

impl From<&[usize]> for Shape {
    fn from(dims: &[usize]) -> Self {
        Shape(dims.to_vec())
    }
}

impl From<&Vec<usize>> for Shape {
    fn from(dims: &Vec<usize>) -> Self {
        Shape(dims.clone())
    }
}

impl<const N: usize> From<[usize; N]> for Shape {
    fn from(dims: [usize; N]) -> Self {
        Shape(dims.to_vec())
    }
}

impl From<&Shape> for Shape {
    fn from(shape: &Shape) -> Self {
        shape.clone()
    }
}

impl From<()> for Shape {
    fn from(_: ()) -> Self {
        Shape(Vec::new())
    }
}

impl PartialEq<[usize]> for Shape {
    fn eq(&self, other: &[usize]) -> bool {
        self.0 == other
    }
}

impl<const N: usize> PartialEq<[usize; N]> for Shape {
    fn eq(&self, other: &[usize; N]) -> bool {
        self.0 == other
    }
}

/// A dimension index that may count from the end, as in PyTorch (`-1` is the last dimension).
pub trait Dim: Copy + fmt::Debug {
    /// The dimension as a non-negative index into a tensor of `rank` dimensions; panics naming
    /// `op` when it is out of range.
    fn resolve(self, rank: usize, op: &str) -> usize;
}

impl Dim for usize {
    fn resolve(self, rank: usize, op: &str) -> usize {
        assert!(
            self < rank.max(1),
            "{op}: dimension {self} out of range for a tensor of {rank} dimensions"
        );
        self
    }
}

impl Dim for i64 {
    fn resolve(self, rank: usize, op: &str) -> usize {
        let r = rank.max(1) as i64;
        assert!(
            (-r..r).contains(&self),
            "{op}: dimension {self} out of range (expected to be in [{}, {}])",
            -r,
            r - 1
        );
        if self < 0 {
            (self + r) as usize
        } else {
            self as usize
        }
    }
}

impl Dim for i32 {
    fn resolve(self, rank: usize, op: &str) -> usize {
        (self as i64).resolve(rank, op)
    }
}
