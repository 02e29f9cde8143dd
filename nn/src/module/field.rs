//! How each kind of struct field takes part in a module: the trait `#[derive(Module)]` calls.

use kiln_autograd::Var;

use super::{Module, Visitor};
use crate::layers::ModuleListView;

/// A struct field that `#[derive(Module)]` can visit under the field's name.
///
/// A [`Var`] is a parameter, a [`Module`] a child, `Vec<M>` a `ModuleList` child (names `0`, `1`,
/// …), `Option<F>` is `F` when present and nothing when absent (PyTorch's `bias=None`).
pub trait ModuleField {
    /// Reports this field, called `name`, to `visitor`.
    fn visit_field(&self, name: &str, visitor: &mut dyn Visitor);
}

impl ModuleField for Var {
    fn visit_field(&self, name: &str, visitor: &mut dyn Visitor) {
        visitor.parameter(name, self);
    }
}

impl<M: Module> ModuleField for M {
    fn visit_field(&self, name: &str, visitor: &mut dyn Visitor) {
        visitor.child(name, self);
    }
}

impl<M: Module> ModuleField for Vec<M> {
    fn visit_field(&self, name: &str, visitor: &mut dyn Visitor) {
        visitor.child(name, &ModuleListView(self));
    }
}

impl<F: ModuleField> ModuleField for Option<F> {
    fn visit_field(&self, name: &str, visitor: &mut dyn Visitor) {
        if let Some(field) = self {
            field.visit_field(name, visitor);
        }
    }
}
