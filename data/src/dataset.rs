//! The [`Dataset`] trait (`torch.utils.data.Dataset`) and the small datasets built on it.

use std::sync::Arc;

use kiln_tensor::Tensor;

/// A map-style dataset: a fixed number of items, each reachable by index
/// (`torch.utils.data.Dataset` with `__len__` and `__getitem__`).
///
/// Items may be of any type; the [`DataLoader`](crate::DataLoader) calls [`Dataset::get`] from
/// worker threads, hence `Send + Sync`. `get` may panic on an index `>= len()`, as slice
/// indexing does; the loader never asks for one.
pub trait Dataset: Send + Sync {
    /// The type of one example.
    type Item: Send + 'static;

    /// Number of items (`len(dataset)`).
    fn len(&self) -> usize;

    /// The item at `index` (`dataset[index]`).
    fn get(&self, index: usize) -> Self::Item;

    /// `true` when the dataset holds no item.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A vector of cloneable items as a dataset (a Python list passed to `DataLoader`).
///
/// A wrapper rather than an `impl Dataset for Vec<T>`, so that `vec.get(i)` keeps meaning
/// the slice method wherever [`Dataset`] is in scope.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VecDataset<T>(pub Vec<T>);

impl<T> From<Vec<T>> for VecDataset<T> {
    fn from(items: Vec<T>) -> Self {
        VecDataset(items)
    }
}

impl<T: Clone + Send + Sync + 'static> Dataset for VecDataset<T> {
    type Item = T;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, index: usize) -> T {
        self.0[index].clone()
    }
}

impl<D: Dataset + ?Sized> Dataset for Arc<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        (**self).len()
    }

    fn get(&self, index: usize) -> D::Item {
        (**self).get(index)
    }
}

/// Tensors that share their first dimension; item `i` is the `i`-th row of each
/// (`torch.utils.data.TensorDataset`). Rows are views: `get` copies no data.
#[derive(Clone, Debug)]
pub struct TensorDataset {
    tensors: Vec<Tensor>,
}

impl TensorDataset {
    /// Wraps `tensors`; panics when the list is empty, a tensor is 0-d, or their first
    /// dimensions differ ("Size mismatch between tensors", as PyTorch).
    pub fn new(tensors: Vec<Tensor>) -> Self {
        assert!(
            !tensors.is_empty(),
            "TensorDataset: expected at least one tensor"
        );
        let n = tensors[0].dims().first().copied();
        for t in &tensors {
            assert!(
                t.dim() > 0 && t.dims().first().copied() == n,
                "TensorDataset: size mismatch between tensors (shapes {} and {})",
                tensors[0].shape(),
                t.shape()
            );
        }
        TensorDataset { tensors }
    }

    /// The wrapped tensors.
    pub fn tensors(&self) -> &[Tensor] {
        &self.tensors
    }
}

impl Dataset for TensorDataset {
    type Item = Vec<Tensor>;

    fn len(&self) -> usize {
        self.tensors[0].dims()[0]
    }

    fn get(&self, index: usize) -> Vec<Tensor> {
        self.tensors
            .iter()
            .map(|t| t.select(0, index as i64))
            .collect()
    }
}

/// The items of `dataset` at `indices`, in that order (`torch.utils.data.Subset`).
#[derive(Clone, Debug)]
pub struct Subset<D> {
    dataset: D,
    indices: Vec<usize>,
}

impl<D: Dataset> Subset<D> {
    /// A view of `dataset` through `indices`; panics when an index is `>= dataset.len()`.
    pub fn new(dataset: D, indices: Vec<usize>) -> Self {
        let n = dataset.len();
        if let Some(&bad) = indices.iter().find(|&&i| i >= n) {
            panic!("Subset: index {bad} out of range for a dataset of {n} items");
        }
        Subset { dataset, indices }
    }

    /// The indices into the underlying dataset.
    pub fn indices(&self) -> &[usize] {
        &self.indices
    }

    /// The underlying dataset.
    pub fn dataset(&self) -> &D {
        &self.dataset
    }
}

impl<D: Dataset> Dataset for Subset<D> {
    type Item = D::Item;

    fn len(&self) -> usize {
        self.indices.len()
    }

    fn get(&self, index: usize) -> D::Item {
        self.dataset.get(self.indices[index])
    }
}

/// A dataset whose items are `f(inner.get(i))`: a lazy transform applied on access, as
/// torchvision's `transform=` argument or HF `Dataset.with_transform`.
pub struct MapDataset<D, F> {
    dataset: D,
    f: F,
}

impl<D, F, U> MapDataset<D, F>
where
    D: Dataset,
    F: Fn(D::Item) -> U + Send + Sync,
    U: Send + 'static,
{
    /// Applies `f` to every item of `dataset` when it is fetched.
    pub fn new(dataset: D, f: F) -> Self {
        MapDataset { dataset, f }
    }
}

impl<D, F, U> Dataset for MapDataset<D, F>
where
    D: Dataset,
    F: Fn(D::Item) -> U + Send + Sync,
    U: Send + 'static,
{
    type Item = U;

    fn len(&self) -> usize {
        self.dataset.len()
    }

    fn get(&self, index: usize) -> U {
        (self.f)(self.dataset.get(index))
    }
}

/// A dataset defined by its length and a function of the index, handy for synthetic data
/// such as the seeds' `NumberSumDataset`.
pub struct FnDataset<F> {
    len: usize,
    f: F,
}

impl<F, T> FnDataset<F>
where
    F: Fn(usize) -> T + Send + Sync,
    T: Send + 'static,
{
    /// `len` items; item `i` is `f(i)`.
    pub fn new(len: usize, f: F) -> Self {
        FnDataset { len, f }
    }
}

impl<F, T> Dataset for FnDataset<F>
where
    F: Fn(usize) -> T + Send + Sync,
    T: Send + 'static,
{
    type Item = T;

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, index: usize) -> T {
        assert!(
            index < self.len,
            "FnDataset: index {index} out of range for {} items",
            self.len
        );
        (self.f)(index)
    }
}
