//! Depth-first traversals of a module tree with PyTorch's dotted names and order.

use kiln_autograd::Var;
use kiln_tensor::Tensor;

use super::{Module, StateDict, Visitor};

/// Which tensors a traversal reports.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Learnable parameters only.
    Parameters,
    /// Buffers only.
    Buffers,
}

/// Calls `f(dotted_name, tensor)` for every tensor of `kinds`, in `state_dict` order: a module's
/// own parameters, then its own buffers, then each child's tensors under `child.`.
pub(crate) fn walk_tensors<M: Module + ?Sized>(
    module: &M,
    prefix: &str,
    kinds: &[Kind],
    f: &mut dyn FnMut(&str, Kind, &Var),
) {
    for &kind in kinds {
        module.visit(&mut Own { prefix, kind, f });
    }
    module.visit(&mut Children { prefix, kinds, f });
}

/// `(name, var)` of every tensor of one kind.
pub(crate) fn named_tensors<M: Module + ?Sized>(module: &M, kind: Kind) -> Vec<(String, Var)> {
    let mut out = Vec::new();
    walk_tensors(module, "", &[kind], &mut |name, _, var| {
        out.push((name.to_string(), var.clone()));
    });
    out
}

/// Calls `f` on every descendant module (not `module` itself), parents before children.
pub(crate) fn for_each_descendant<M: Module + ?Sized>(module: &M, f: &mut dyn FnMut(&dyn Module)) {
    struct Descend<'f>(&'f mut dyn FnMut(&dyn Module));
    impl Visitor for Descend<'_> {
        fn parameter(&mut self, _: &str, _: &Var) {}
        fn buffer(&mut self, _: &str, _: &Var) {}
        fn child(&mut self, _: &str, module: &dyn Module) {
            (self.0)(module);
            module.visit(self);
        }
    }
    module.visit(&mut Descend(f));
}

/// Sets `requires_grad` on the parameters selected by `prefix`; returns how many.
pub(crate) fn set_requires_grad<M: Module + ?Sized>(
    module: &M,
    prefix: &str,
    requires_grad: bool,
) -> usize {
    let mut count = 0;
    walk_tensors(module, "", &[Kind::Parameters], &mut |name, _, var| {
        if matches_prefix(name, prefix) {
            var.requires_grad_(requires_grad);
            count += 1;
        }
    });
    count
}

/// True when `name` is `prefix` itself or lies under it (`encoder` selects `encoder.layer.0.w`
/// but not `encoder2.w`); the empty prefix selects everything.
pub(crate) fn matches_prefix(name: &str, prefix: &str) -> bool {
    prefix.is_empty()
        || name == prefix
        || (name.starts_with(prefix) && name.as_bytes().get(prefix.len()) == Some(&b'.'))
}

/// Replaces every parameter and buffer value with `f(value)`.
pub(crate) fn map_tensors<M: Module + ?Sized>(module: &M, f: &dyn Fn(&Tensor) -> Tensor) {
    walk_tensors(
        module,
        "",
        &[Kind::Parameters, Kind::Buffers],
        &mut |_, _, var| var.set_value(f(&var.value())),
    );
}

/// The module's `state_dict`.
pub(crate) fn state_dict<M: Module + ?Sized>(module: &M) -> StateDict {
    let mut out = StateDict::new();
    walk_tensors(
        module,
        "",
        &[Kind::Parameters, Kind::Buffers],
        &mut |name, _, var| out.insert(name, var.value()),
    );
    out
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}.{name}")
    }
}

/// Reports a module's own tensors of one kind.
struct Own<'a, 'f> {
    prefix: &'a str,
    kind: Kind,
    f: &'f mut dyn FnMut(&str, Kind, &Var),
}

impl Visitor for Own<'_, '_> {
    fn parameter(&mut self, name: &str, param: &Var) {
        if self.kind == Kind::Parameters {
            (self.f)(&join(self.prefix, name), Kind::Parameters, param);
        }
    }

    fn buffer(&mut self, name: &str, buffer: &Var) {
        if self.kind == Kind::Buffers {
            (self.f)(&join(self.prefix, name), Kind::Buffers, buffer);
        }
    }

    fn child(&mut self, _: &str, _: &dyn Module) {}
}

/// Recurses into a module's children.
struct Children<'a, 'f> {
    prefix: &'a str,
    kinds: &'a [Kind],
    f: &'f mut dyn FnMut(&str, Kind, &Var),
}

impl Visitor for Children<'_, '_> {
    fn parameter(&mut self, _: &str, _: &Var) {}

    fn buffer(&mut self, _: &str, _: &Var) {}

    fn child(&mut self, name: &str, module: &dyn Module) {
        walk_tensors(module, &join(self.prefix, name), self.kinds, self.f);
    }
}
