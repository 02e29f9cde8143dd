//! `Box<M>` and `Arc<M>` are modules whenever `M` is, so heterogeneous lists
//! (`ModuleList<Box<dyn Module>>`) work, and layers can be shared with closures that outlive a
//! borrow (gradient checkpointing).

use super::{Forward, Module, Visitor};
use kiln_autograd::Var;
use std::sync::Arc;

impl<M: Module + ?Sized> Module for Box<M> {
    fn type_name(&self) -> String {
        (**self).type_name()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        (**self).visit(visitor);
    }

    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }

    fn own_training(&self) -> Option<bool> {
        (**self).own_training()
    }

    fn set_own_training(&self, training: bool) {
        (**self).set_own_training(training);
    }

    fn repr(&self) -> String {
        (**self).repr()
    }
}

impl<M: Module + ?Sized> Module for Arc<M> {
    fn type_name(&self) -> String {
        (**self).type_name()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        (**self).visit(visitor);
    }

    fn extra_repr(&self) -> String {
        (**self).extra_repr()
    }

    fn own_training(&self) -> Option<bool> {
        (**self).own_training()
    }

    fn set_own_training(&self, training: bool) {
        (**self).set_own_training(training);
    }

    fn repr(&self) -> String {
        (**self).repr()
    }
}

impl<M: Forward + ?Sized> Forward for Box<M> {
    fn forward(&self, input: &Var) -> Var {
        (**self).forward(input)
    }
}
