//! A chain of single-input modules (`nn.Sequential`).

use kiln_autograd::Var;

use crate::{Forward, Module, Visitor};

/// Runs its layers in order, each on the previous one's output (`nn.Sequential`); children
/// are named `0`, `1`, ….
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Forward>>,
}

impl Sequential {
    /// An empty chain; add layers with [`Sequential::append`].
    pub fn new() -> Sequential {
        Sequential::default()
    }

    /// Appends `layer` and returns the chain, for building in one expression (`append`).
    pub fn append(mut self, layer: impl Forward + 'static) -> Sequential {
        self.layers.push(Box::new(layer));
        self
    }

    /// Appends an already boxed layer.
    pub fn push(&mut self, layer: Box<dyn Forward>) {
        self.layers.push(layer);
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The `index`-th layer.
    pub fn get(&self, index: usize) -> Option<&dyn Forward> {
        self.layers.get(index).map(|l| &**l)
    }
}

impl Forward for Sequential {
    fn forward(&self, input: &Var) -> Var {
        self.layers
            .iter()
            .fold(input.clone(), |x, layer| layer.forward(&x))
    }
}

impl Module for Sequential {
    fn type_name(&self) -> String {
        "Sequential".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        for (i, layer) in self.layers.iter().enumerate() {
            visitor.child(&i.to_string(), &**layer);
        }
    }
}
