//! Views: ops that change only the layout and share storage with their input.

use crate::shape::{Dim, Shape};
use crate::tensor::Tensor;

/// Resolves a target shape that may contain one `-1` (inferred size), as in `view(-1, 4)`.
fn infer_shape(numel: usize, dims: &[isize], op: &str) -> Shape {
    let mut inferred = None;
    let mut known = 1usize;
    for (i, &d) in dims.iter().enumerate() {
        match d {
            -1 => {
                assert!(
                    inferred.is_none(),
                    "{op}: only one dimension can be inferred"
                );
                inferred = Some(i);
            }
            d if d >= 0 => known *= d as usize,
            d => panic!("{op}: invalid shape dimension {d}"),
        }
    }
    let mut out: Vec<usize> = dims.iter().map(|&d| d.max(0) as usize).collect();
    if let Some(i) = inferred {
        assert!(
            known != 0 && numel.is_multiple_of(known),
            "{op}: shape {dims:?} is invalid for input of size {numel}"
        );
        out[i] = numel / known;
    }
    let shape = Shape::new(out);
    assert_eq!(
        shape.numel(),
        numel,
        "{op}: shape {dims:?} is invalid for input of size {numel}"
    );
    shape
}

impl Tensor {
    /// The same elements with another shape (`reshape`); one dim may be `-1`. A view when the
    /// strides allow it, else a contiguous copy.
    pub fn reshape(&self, dims: &[isize]) -> Tensor {
        let shape = infer_shape(self.numel(), dims, "reshape");
        match self.layout().reshape(&shape) {
            Some(layout) => self.with_layout(layout),
            None => self
                .contiguous()
                .with_layout(crate::Layout::contiguous(shape)),
        }
    }

    /// Like [`Tensor::reshape`] but with a `Shape`/array argument and no inferred dim.
    pub fn reshape_to(&self, shape: impl Into<Shape>) -> Tensor {
        let shape = shape.into();
        let dims: Vec<isize> = shape.dims().iter().map(|&d| d as isize).collect();
        self.reshape(&dims)
    }

    /// A view with another shape (`view`); panics if the strides do not allow one without a copy.
    pub fn view(&self, dims: &[isize]) -> Tensor {
        let shape = infer_shape(self.numel(), dims, "view");
        let layout = self.layout().reshape(&shape).unwrap_or_else(|| {
            panic!(
                "view: size {shape} is not compatible with input of shape {} and strides {:?}; use reshape",
                self.shape(),
                self.strides()
            )
        });
        self.with_layout(layout)
    }

    /// Merges dims `start..=end` into one (`flatten(start_dim, end_dim)`).
    pub fn flatten(&self, start: impl Dim, end: impl Dim) -> Tensor {
        if self.dim() == 0 {
            return self.reshape(&[1]);
        }
        let (s, e) = (
            start.resolve(self.dim(), "flatten"),
            end.resolve(self.dim(), "flatten"),
        );
        assert!(
            s <= e,
            "flatten: start_dim {s} cannot come after end_dim {e}"
        );
        let dims = self.dims();
        let mut out: Vec<isize> = dims[..s].iter().map(|&d| d as isize).collect();
        out.push(dims[s..=e].iter().product::<usize>() as isize);
        out.extend(dims[e + 1..].iter().map(|&d| d as isize));
        self.reshape(&out)
    }

    /// Swaps two dims (`transpose(d0, d1)`); a view.
    pub fn transpose(&self, d0: impl Dim, d1: impl Dim) -> Tensor {
        if self.dim() == 0 {
            return self.clone();
        }
        let (a, b) = (
            d0.resolve(self.dim(), "transpose"),
            d1.resolve(self.dim(), "transpose"),
        );
        self.with_layout(self.layout().transpose(a, b))
    }

    /// Transpose of a matrix (`t()`); 0-d and 1-d tensors are returned as they are.
    pub fn t(&self) -> Tensor {
        assert!(
            self.dim() <= 2,
            "t: expects a tensor with <= 2 dimensions, but self is {}D",
            self.dim()
        );
        if self.dim() < 2 {
            self.clone()
        } else {
            self.transpose(0usize, 1usize)
        }
    }

    /// Reorders dims (`permute(dims)`): output dim `i` is input dim `dims[i]`; a view.
    pub fn permute(&self, dims: &[i64]) -> Tensor {
        assert_eq!(
            dims.len(),
            self.dim(),
            "permute: number of dims {} doesn't match the tensor's {} dims",
            dims.len(),
            self.dim()
        );
        let perm: Vec<usize> = dims
            .iter()
            .map(|&d| d.resolve(self.dim(), "permute"))
            .collect();
        let mut seen = vec![false; perm.len()];
        for &p in &perm {
            assert!(!seen[p], "permute: repeated dim {p} in {dims:?}");
            seen[p] = true;
        }
        self.with_layout(self.layout().permute(&perm))
    }

    /// Inserts a size-1 dim at `dim` (`unsqueeze`); `dim` may be `dim()` (append) or negative.
    pub fn unsqueeze(&self, dim: impl Dim) -> Tensor {
        let d = dim.resolve(self.dim() + 1, "unsqueeze");
        self.with_layout(self.layout().unsqueeze(d))
    }

    /// Removes every size-1 dim (`squeeze()`).
    pub fn squeeze(&self) -> Tensor {
        let mut layout = self.layout().clone();
        for d in (0..self.dim()).rev() {
            if self.dims()[d] == 1 {
                layout = layout.squeeze(d);
            }
        }
        self.with_layout(layout)
    }

    /// Removes `dim` if its size is 1, else returns the tensor unchanged (`squeeze(dim)`).
    pub fn squeeze_dim(&self, dim: impl Dim) -> Tensor {
        if self.dim() == 0 {
            return self.clone();
        }
        let d = dim.resolve(self.dim(), "squeeze");
        if self.dims()[d] == 1 {
            self.with_layout(self.layout().squeeze(d))
        } else {
            self.clone()
        }
    }

    /// Broadcasts to `shape` without copying (`expand` / `broadcast_to`): size-1 dims repeat.
    pub fn broadcast_to(&self, shape: impl Into<Shape>) -> Tensor {
        let shape = shape.into();
        let layout = self.layout().broadcast_to(&shape).unwrap_or_else(|| {
            panic!(
                "broadcast_to: the shape {} cannot be broadcast to {shape}",
                self.shape()
            )
        });
        self.with_layout(layout)
    }

    /// PyTorch's `expand(sizes)`: like [`Tensor::broadcast_to`], `-1` keeps a dim's size.
    pub fn expand(&self, sizes: &[isize]) -> Tensor {
        let lead = sizes.len().saturating_sub(self.dim());
        let dims: Vec<usize> = sizes
            .iter()
            .enumerate()
            .map(|(i, &s)| {
                if s == -1 && i >= lead {
                    self.dims()[i - lead]
                } else {
                    s as usize
                }
            })
            .collect();
        self.broadcast_to(dims)
    }

    /// Keeps `len` entries of `dim` from `start` (`narrow(dim, start, length)`); a view.
    pub fn narrow(&self, dim: impl Dim, start: usize, len: usize) -> Tensor {
        let d = dim.resolve(self.dim(), "narrow");
        assert!(
            start + len <= self.dims()[d],
            "narrow: start ({start}) + length ({len}) exceeds dimension size ({}) of shape {}",
            self.dims()[d],
            self.shape()
        );
        self.with_layout(self.layout().narrow(d, start, len))
    }

    /// Python-style slice `[start:end:1]` along `dim` with negative and clamped bounds
    /// (`x[:, 2:-1]`); a view.
    pub fn slice(&self, dim: impl Dim, start: i64, end: i64) -> Tensor {
        let d = dim.resolve(self.dim(), "slice");
        let size = self.dims()[d] as i64;
        let clamp = |i: i64| {
            if i < 0 {
                (i + size).max(0)
            } else {
                i.min(size)
            }
        };
        let (s, e) = (clamp(start), clamp(end));
        self.narrow(d, s as usize, (e - s).max(0) as usize)
    }

    /// The sub-tensor at `index` along `dim`, removing that dim (`select(dim, index)`, `x[i]`);
    /// negative `index` counts from the end. A view.
    pub fn select(&self, dim: impl Dim, index: i64) -> Tensor {
        let d = dim.resolve(self.dim(), "select");
        let size = self.dims()[d] as i64;
        assert!(
            (-size..size).contains(&index),
            "select: index {index} out of range for dimension {d} with size {size}"
        );
        let i = if index < 0 { index + size } else { index } as usize;
        self.with_layout(self.layout().select(d, i))
    }

    /// Splits `dim` into pieces of `split_size` (the last may be smaller) (`split`); views.
    pub fn split(&self, split_size: usize, dim: impl Dim) -> Vec<Tensor> {
        assert!(split_size > 0, "split: split_size must be positive");
        let d = dim.resolve(self.dim(), "split");
        let size = self.dims()[d];
        if size == 0 {
            return vec![self.clone()];
        }
        (0..size)
            .step_by(split_size)
            .map(|start| self.narrow(d, start, split_size.min(size - start)))
            .collect()
    }

    /// Splits `dim` into `chunks` pieces of size `ceil(size / chunks)` (`chunk`); may return
    /// fewer pieces, as PyTorch does. Views.
    pub fn chunk(&self, chunks: usize, dim: impl Dim) -> Vec<Tensor> {
        assert!(chunks > 0, "chunk: expects `chunks` to be greater than 0");
        let d = dim.resolve(self.dim(), "chunk");
        let size = self.dims()[d];
        self.split(size.div_ceil(chunks).max(1), d)
    }
}
