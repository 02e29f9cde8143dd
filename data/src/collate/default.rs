//! `default_collate`: stack tensors and numbers, recurse into tuples and vectors.

use kiln_tensor::Tensor;

use super::Collate;

/// PyTorch's `torch.utils.data.default_collate`: tensors are stacked along a new first
/// dim, numbers become 1-D tensors (`f32`, `f64`, `i64`, `bool` keep their dtype), strings
/// stay a list, and tuples / vectors are collated field by field (a batch of `(x, y)` pairs
/// becomes `(stack(xs), stack(ys))`).
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultCollate;

impl<I: Collatable> Collate<I> for DefaultCollate {
    type Batch = I::Batch;

    fn collate(&self, items: Vec<I>) -> I::Batch {
        I::collate_items(items)
    }
}

/// An item type [`DefaultCollate`] knows how to batch.
pub trait Collatable: Sized + Send + 'static {
    /// The batched form.
    type Batch: Send + 'static;

    /// Batches `items`; panics, as PyTorch, when tensors differ in shape or vectors in
    /// length.
    fn collate_items(items: Vec<Self>) -> Self::Batch;
}

impl Collatable for Tensor {
    type Batch = Tensor;

    fn collate_items(items: Vec<Tensor>) -> Tensor {
        Tensor::stack(&items, 0)
    }
}

macro_rules! collate_scalar {
    ($($t:ty),*) => {$(
        impl Collatable for $t {
            type Batch = Tensor;

            fn collate_items(items: Vec<$t>) -> Tensor {
                let n = items.len();
                Tensor::from_vec(items, [n])
            }
        }
    )*};
}

collate_scalar!(f32, f64, i64, bool);

impl Collatable for String {
    type Batch = Vec<String>;

    fn collate_items(items: Vec<String>) -> Vec<String> {
        items
    }
}

impl<T: Collatable> Collatable for Vec<T> {
    type Batch = Vec<T::Batch>;

    fn collate_items(items: Vec<Vec<T>>) -> Vec<T::Batch> {
        let width = items.first().map_or(0, Vec::len);
        if let Some(bad) = items.iter().position(|v| v.len() != width) {
            panic!(
                "default_collate: each element in list of batch should be of equal size (item 0 has {width}, item {bad} has {})",
                items[bad].len()
            );
        }
        let mut columns: Vec<Vec<T>> = (0..width)
            .map(|_| Vec::with_capacity(items.len()))
            .collect();
        for item in items {
            for (col, value) in columns.iter_mut().zip(item) {
                col.push(value);
            }
        }
        columns.into_iter().map(T::collate_items).collect()
    }
}

impl<A: Collatable, B: Collatable> Collatable for (A, B) {
    type Batch = (A::Batch, B::Batch);

    fn collate_items(items: Vec<(A, B)>) -> Self::Batch {
        let (a, b): (Vec<A>, Vec<B>) = items.into_iter().unzip();
        (A::collate_items(a), B::collate_items(b))
    }
}

impl<A: Collatable, B: Collatable, C: Collatable> Collatable for (A, B, C) {
    type Batch = (A::Batch, B::Batch, C::Batch);

    fn collate_items(items: Vec<(A, B, C)>) -> Self::Batch {
        let n = items.len();
        let (mut a, mut b, mut c) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for (x, y, z) in items {
            a.push(x);
            b.push(y);
            c.push(z);
        }
        (
            A::collate_items(a),
            B::collate_items(b),
            C::collate_items(c),
        )
    }
}
