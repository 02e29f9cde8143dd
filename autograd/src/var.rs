//! `Var`: a tensor plus its place in the autograd graph.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};

use kiln_tensor::Tensor;

use crate::graph::Node;
use crate::no_grad::is_grad_enabled;

static NEXT_ID: AtomicUsize = AtomicUsize::new(0);
static NEXT_HOOK_ID: AtomicUsize = AtomicUsize::new(0);

/// A function run on a leaf right after a backward pass has added its gradient to `.grad`
/// (the argument of PyTorch's `Tensor.register_post_accumulate_grad_hook`).
pub type PostAccumulateGradHook = dyn Fn(&Var) + Send + Sync;

pub(crate) struct VarInner {
    pub(crate) id: usize,
    value: RwLock<Tensor>,
    requires_grad: AtomicBool,
    grad: Mutex<Option<Tensor>>,
    /// The op that produced this var (`grad_fn`); `None` for leaves and constants.
    pub(crate) node: Option<Arc<Node>>,
    /// Hooks run after each accumulation into `grad`, with their handles' ids.
    hooks: Mutex<Vec<(usize, Arc<PostAccumulateGradHook>)>>,
}

/// Removes a hook registered by [`Var::register_post_accumulate_grad_hook`]
/// (PyTorch's `RemovableHandle`). Dropping the handle keeps the hook, as in PyTorch.
#[derive(Debug)]
pub struct HookHandle {
    var: Weak<VarInner>,
    id: usize,
}

impl HookHandle {
    /// Unregisters the hook (`handle.remove()`); a no-op when the variable is gone.
    pub fn remove(self) {
        if let Some(inner) = self.var.upgrade() {
            let mut hooks = inner.hooks.lock().unwrap_or_else(|e| e.into_inner());
            hooks.retain(|(id, _)| *id != self.id);
        }
    }
}

/// A tensor that records the ops applied to it so gradients can flow back (PyTorch's
/// `torch.Tensor` with `requires_grad`).
///
/// Cloning a `Var` is cheap and refers to the same variable: gradients accumulated through one
/// clone are seen by all (like two Python names for one tensor).
#[derive(Clone)]
pub struct Var {
    pub(crate) inner: Arc<VarInner>,
}

impl Var {
    fn build(value: Tensor, requires_grad: bool, node: Option<Arc<Node>>) -> Var {
        Var {
            inner: Arc::new(VarInner {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                value: RwLock::new(value),
                requires_grad: AtomicBool::new(requires_grad),
                grad: Mutex::new(None),
                node,
                hooks: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A leaf variable (`torch.tensor(..., requires_grad=requires_grad)`): parameters and inputs.
    pub fn new(value: Tensor, requires_grad: bool) -> Var {
        Var::build(value, requires_grad, None)
    }

    /// A leaf that requires grad (`nn.Parameter`).
    pub fn parameter(value: Tensor) -> Var {
        Var::new(value, true)
    }

    /// A leaf that does not require grad (a plain input tensor).
    pub fn constant(value: Tensor) -> Var {
        Var::new(value, false)
    }

    /// The result of an op: gradients flow back through `node`.
    pub(crate) fn from_op(value: Tensor, node: Arc<Node>) -> Var {
        Var::build(value, true, Some(node))
    }

    /// The current value (a cheap clone of the tensor handle).
    pub fn value(&self) -> Tensor {
        self.inner
            .value
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Replaces the value of a leaf in place, as an optimizer step does (`p.data = …`). The
    /// shape must stay the same; the gradient is kept.
    pub fn set_value(&self, value: Tensor) {
        let mut slot = self.inner.value.write().unwrap_or_else(|e| e.into_inner());
        assert_eq!(
            slot.shape(),
            value.shape(),
            "set_value: new value has shape {} but the variable has shape {}",
            value.shape(),
            slot.shape()
        );
        *slot = value;
    }

    /// Runs `f` on the value in place (PyTorch's `with torch.no_grad(): p.add_(…)`), e.g. for
    /// an optimizer that writes through `Tensor::as_mut_slice` when nothing else shares the
    /// storage. The shape must stay the same; the gradient is kept.
    pub fn update_value<R>(&self, f: impl FnOnce(&mut Tensor) -> R) -> R {
        let mut slot = self.inner.value.write().unwrap_or_else(|e| e.into_inner());
        let shape = slot.shape().clone();
        let result = f(&mut slot);
        assert_eq!(
            &shape,
            slot.shape(),
            "update_value: the value changed shape from {shape} to {}",
            slot.shape()
        );
        result
    }

    /// True when gradients are computed for this variable (`requires_grad`).
    pub fn requires_grad(&self) -> bool {
        self.inner.requires_grad.load(Ordering::Relaxed)
    }

    /// Turns gradient tracking on or off for a leaf (`requires_grad_()`), e.g. to freeze a
    /// parameter. Panics on a non-leaf, as PyTorch does.
    pub fn requires_grad_(&self, requires_grad: bool) -> &Var {
        assert!(
            self.is_leaf(),
            "requires_grad_: you can only change requires_grad flags of leaf variables"
        );
        self.inner
            .requires_grad
            .store(requires_grad, Ordering::Relaxed);
        self
    }

    /// True for variables not produced by a recorded op (`is_leaf`).
    pub fn is_leaf(&self) -> bool {
        self.inner.node.is_none()
    }

    /// The accumulated gradient of a leaf after `backward` (`.grad`); `None` before any.
    pub fn grad(&self) -> Option<Tensor> {
        self.inner
            .grad
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Clears the gradient (`zero_grad(set_to_none=True)`).
    pub fn zero_grad(&self) {
        *self.inner.grad.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Replaces the stored gradient (used by optimizers and gradient clipping).
    pub fn set_grad(&self, grad: Option<Tensor>) {
        *self.inner.grad.lock().unwrap_or_else(|e| e.into_inner()) = grad;
    }

    /// Adds `g` to the stored gradient, then runs the post-accumulate hooks.
    pub(crate) fn accumulate_grad(&self, g: Tensor) {
        {
            let mut slot = self.inner.grad.lock().unwrap_or_else(|e| e.into_inner());
            *slot = Some(match slot.take() {
                Some(prev) => &prev + &g,
                None => g,
            });
        }
        let hooks: Vec<Arc<PostAccumulateGradHook>> = {
            let hooks = self.inner.hooks.lock().unwrap_or_else(|e| e.into_inner());
            hooks.iter().map(|(_, hook)| hook.clone()).collect()
        };
        for hook in hooks {
            hook(self);
        }
    }

    /// Runs `hook` on this leaf every time a backward pass has added its gradient to
    /// [`Var::grad`] (PyTorch's `register_post_accumulate_grad_hook`); a leaf is accumulated
    /// once per backward, after every op that used it. `DistributedDataParallel` uses this
    /// to start averaging a bucket of gradients while the rest of backward runs. Hooks run
    /// in registration order on the thread that runs backward. Panics on a non-leaf, as
    /// PyTorch raises.
    pub fn register_post_accumulate_grad_hook(
        &self,
        hook: impl Fn(&Var) + Send + Sync + 'static,
    ) -> HookHandle {
        assert!(
            self.is_leaf(),
            "register_post_accumulate_grad_hook: post accumulate grad hooks cannot be registered \
             on non-leaf tensors"
        );
        let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
        let mut hooks = self.inner.hooks.lock().unwrap_or_else(|e| e.into_inner());
        hooks.push((id, Arc::new(hook)));
        HookHandle {
            var: Arc::downgrade(&self.inner),
            id,
        }
    }

    /// The same value cut from the graph (`detach()`): shares storage, no gradient.
    pub fn detach(&self) -> Var {
        Var::constant(self.value())
    }

    /// True when an op on this var should be recorded.
    pub(crate) fn tracks(&self) -> bool {
        self.requires_grad() && is_grad_enabled()
    }

    /// The shape of the value.
    pub fn dims(&self) -> Vec<usize> {
        self.value().dims().to_vec()
    }

    /// Name of the op that made this var (`grad_fn`), `None` for leaves.
    pub fn grad_fn_name(&self) -> Option<&'static str> {
        self.inner.node.as_ref().map(|n| n.name)
    }
}

impl std::fmt::Debug for Var {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let value = self.value();
        write!(f, "{value:?}")?;
        match self.grad_fn_name() {
            Some(name) => write!(f, " (grad_fn={name})"),
            None if self.requires_grad() => write!(f, " (requires_grad=True)"),
            None => Ok(()),
        }
    }
}

impl From<Tensor> for Var {
    fn from(t: Tensor) -> Var {
        Var::constant(t)
    }
}
