//! The [`Transform`] trait and [`Compose`] (torchvision `transforms.Compose`).

use kiln_tensor::Generator;

/// A (possibly random) transformation of a value of type `T`, drawing any randomness from
/// `rng` (a torchvision transform's `__call__`).
pub trait Transform<T>: Send + Sync {
    /// Transforms `input`.
    fn apply(&self, input: T, rng: &mut Generator) -> T;
}

/// Applies transforms one after another (`torchvision.transforms.Compose`).
pub struct Compose<T> {
    transforms: Vec<Box<dyn Transform<T>>>,
}

impl<T> Default for Compose<T> {
    fn default() -> Self {
        Compose {
            transforms: Vec::new(),
        }
    }
}

impl<T> Compose<T> {
    /// An empty pipeline (the identity).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends `transform` to the pipeline.
    pub fn then(mut self, transform: impl Transform<T> + 'static) -> Self {
        self.transforms.push(Box::new(transform));
        self
    }

    /// Number of transforms.
    pub fn len(&self) -> usize {
        self.transforms.len()
    }

    /// `true` when the pipeline has no transform.
    pub fn is_empty(&self) -> bool {
        self.transforms.is_empty()
    }
}

impl<T> Transform<T> for Compose<T> {
    fn apply(&self, input: T, rng: &mut Generator) -> T {
        self.transforms.iter().fold(input, |x, t| t.apply(x, rng))
    }
}
