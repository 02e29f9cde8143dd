//! A list of child modules named `0`, `1`, … (`nn.ModuleList`).

use std::ops::Index;

use crate::module::repr::add_indent;
use crate::{Module, Visitor};

/// Holds sub-modules in a list, registering each under its index (`nn.ModuleList`), e.g. a
/// transformer's `layer.0`, `layer.1`, …. A `Vec<M>` field of a `#[derive(Module)]` struct is
/// treated the same way.
pub struct ModuleList<M: Module = Box<dyn Module>> {
    items: Vec<M>,
}

impl<M: Module> ModuleList<M> {
    /// `nn.ModuleList(modules)`.
    pub fn new(items: Vec<M>) -> ModuleList<M> {
        ModuleList { items }
    }

    /// Appends a module (`append`).
    pub fn push(&mut self, module: M) {
        self.items.push(module);
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when the list is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The modules in order.
    pub fn iter(&self) -> std::slice::Iter<'_, M> {
        self.items.iter()
    }
}

impl<M: Module> Default for ModuleList<M> {
    fn default() -> Self {
        ModuleList::new(Vec::new())
    }
}

impl<M: Module> Index<usize> for ModuleList<M> {
    type Output = M;

    fn index(&self, index: usize) -> &M {
        &self.items[index]
    }
}

impl<'a, M: Module> IntoIterator for &'a ModuleList<M> {
    type Item = &'a M;
    type IntoIter = std::slice::Iter<'a, M>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<M: Module> Module for ModuleList<M> {
    fn type_name(&self) -> String {
        "ModuleList".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        ModuleListView(&self.items).visit(visitor);
    }

    fn repr(&self) -> String {
        ModuleListView(&self.items).repr()
    }
}

impl<M: Module> std::fmt::Display for ModuleList<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.repr())
    }
}

/// A borrowed slice seen as a `ModuleList`, for `Vec<M>` fields of derived modules.
pub(crate) struct ModuleListView<'a, M>(pub(crate) &'a [M]);

impl<M: Module> Module for ModuleListView<'_, M> {
    fn type_name(&self) -> String {
        "ModuleList".into()
    }

    fn visit(&self, visitor: &mut dyn Visitor) {
        for (i, item) in self.0.iter().enumerate() {
            visitor.child(&i.to_string(), item);
        }
    }

    /// PyTorch's `ModuleList.__repr__`: runs of identical children print once as
    /// `(start-end): n x Child(...)`.
    fn repr(&self) -> String {
        if self.0.is_empty() {
            return "ModuleList()".into();
        }
        let reprs: Vec<String> = self.0.iter().map(|m| m.repr()).collect();
        let mut lines = Vec::new();
        let mut start = 0;
        while start < reprs.len() {
            let mut end = start;
            while end + 1 < reprs.len() && reprs[end + 1] == reprs[start] {
                end += 1;
            }
            let line = if start == end {
                format!("({start}): {}", reprs[start])
            } else {
                format!("({start}-{end}): {} x {}", end - start + 1, reprs[start])
            };
            lines.push(add_indent(&line, 2));
            start = end + 1;
        }
        format!("ModuleList(\n  {}\n)", lines.join("\n  "))
    }
}
