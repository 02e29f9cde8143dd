//! Graph nodes and the reverse-mode engine behind `backward()`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use kiln_tensor::Tensor;

use crate::var::Var;

/// Computes input gradients from the output gradient. Returns one entry per input, `None` when
/// an input gets no gradient (it does not require one, or the op is not differentiable there).
pub(crate) type BackwardFn = dyn Fn(&Tensor) -> Vec<Option<Tensor>> + Send + Sync;

/// One recorded op (`grad_fn`): its name, and its inputs and backward function until a backward
/// pass without `retain_graph` releases them.
pub(crate) struct Node {
    pub(crate) name: &'static str,
    recorded: Mutex<Option<Recorded>>,
}

/// What a backward pass through one op needs. Dropping it frees the saved tensors and the
/// references to the inputs, and with them views of parameters (such as `weight.t()` inside
/// `Linear`), so that an optimizer step after `backward` can update the parameters in place.
struct Recorded {
    inputs: Vec<Var>,
    backward: Box<BackwardFn>,
}

/// Records the result of an op on `inputs`. When no input tracks gradients (or grad mode is
/// off), the result is a plain constant and `backward` is never kept.
pub(crate) fn record(
    name: &'static str,
    value: Tensor,
    inputs: &[&Var],
    backward: impl Fn(&Tensor) -> Vec<Option<Tensor>> + Send + Sync + 'static,
) -> Var {
    if !inputs.iter().any(|v| v.tracks()) {
        return Var::constant(value);
    }
    let node = Node {
        name,
        recorded: Mutex::new(Some(Recorded {
            inputs: inputs.iter().map(|&v| v.clone()).collect(),
            backward: Box::new(backward),
        })),
    };
    Var::from_op(value, Arc::new(node))
}

/// Vars reachable from `root` through nodes, in reverse topological order (outputs first).
fn reverse_topological(root: &Var) -> Vec<Var> {
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    // Iterative post-order DFS: (var, children pushed?)
    let mut stack = vec![(root.clone(), false)];
    while let Some((var, expanded)) = stack.pop() {
        if expanded {
            order.push(var);
            continue;
        }
        if !seen.insert(var.inner.id) {
            continue;
        }
        stack.push((var.clone(), true));
        if let Some(node) = &var.inner.node {
            let recorded = node.recorded.lock().unwrap_or_else(|e| e.into_inner());
            for input in recorded.iter().flat_map(|r| &r.inputs) {
                if input.requires_grad() && !seen.contains(&input.inner.id) {
                    stack.push((input.clone(), false));
                }
            }
        }
    }
    order.reverse();
    order
}

/// `order` (a reverse topological order) with every leaf moved to right after its last
/// consumer: its gradient is complete there, so accumulating it then lets post-accumulate
/// hooks (`DistributedDataParallel`'s all-reduce) start while the rest of backward runs, as
/// PyTorch's engine runs `AccumulateGrad` as soon as it is ready. The order of the other
/// vars, and so every gradient sum, is unchanged.
fn leaves_when_ready(order: Vec<Var>) -> Vec<Var> {
    let mut last_consumer: HashMap<usize, usize> = HashMap::new();
    for (position, var) in order.iter().enumerate() {
        if let Some(node) = &var.inner.node {
            let recorded = node.recorded.lock().unwrap_or_else(|e| e.into_inner());
            for input in recorded.iter().flat_map(|r| &r.inputs) {
                if input.inner.node.is_none() {
                    last_consumer.insert(input.inner.id, position);
                }
            }
        }
    }
    let mut ready_after: Vec<Vec<Var>> = vec![Vec::new(); order.len()];
    let mut kept = Vec::with_capacity(order.len());
    for (position, var) in order.into_iter().enumerate() {
        match last_consumer.get(&var.inner.id) {
            Some(&consumer) if var.inner.node.is_none() => ready_after[consumer].push(var),
            _ => kept.push((position, var)),
        }
    }
    let mut sequence = Vec::with_capacity(kept.len());
    for (position, var) in kept {
        sequence.push(var);
        sequence.append(&mut ready_after[position]);
    }
    sequence
}

/// Runs the backward pass from `root` with output gradient `grad`; leaf gradients accumulate.
pub(crate) fn run_backward(root: &Var, grad: Tensor, retain_graph: bool) {
    assert!(
        root.requires_grad(),
        "backward: element 0 of tensors does not require grad and does not have a grad_fn"
    );
    let mut grads: HashMap<usize, Tensor> = HashMap::new();
    grads.insert(root.inner.id, grad);
    for var in leaves_when_ready(reverse_topological(root)) {
        let Some(g) = grads.remove(&var.inner.id) else {
            continue;
        };
        let Some(node) = &var.inner.node else {
            var.accumulate_grad(g);
            continue;
        };
        let (inputs, input_grads) = {
            let mut slot = node.recorded.lock().unwrap_or_else(|e| e.into_inner());
            let recorded = slot.as_ref().unwrap_or_else(|| {
                panic!(
                    "backward: trying to backward through the graph a second time ({}); \
                     pass retain_graph=true the first time",
                    node.name
                )
            });
            let out = (recorded.backward)(&g);
            let inputs = if retain_graph {
                recorded.inputs.clone()
            } else {
                slot.take().map(|r| r.inputs).unwrap_or_default()
            };
            (inputs, out)
        };
        assert_eq!(
            input_grads.len(),
            inputs.len(),
            "{}: backward returned wrong count",
            node.name
        );
        for (input, ig) in inputs.iter().zip(input_grads) {
            let Some(ig) = ig else { continue };
            if !input.requires_grad() {
                continue;
            }
            debug_assert_eq!(
                ig.dims(),
                input.value().dims(),
                "{}: gradient shape",
                node.name
            );
            grads
                .entry(input.inner.id)
                .and_modify(|acc| *acc = &*acc + &ig)
                .or_insert(ig);
        }
    }
}

impl Var {
    /// Computes gradients of this scalar with respect to every leaf that requires grad and adds
    /// them to the leaves' `.grad` (`loss.backward()`). The graph is freed afterwards.
    pub fn backward(&self) {
        let value = self.value();
        assert_eq!(
            value.numel(),
            1,
            "backward: grad can be implicitly created only for scalar outputs"
        );
        run_backward(self, value.ones_like(), false);
    }

    /// Backward from a non-scalar output with an explicit output gradient
    /// (`y.backward(gradient, retain_graph=…)`).
    pub fn backward_with(&self, grad: &Tensor, retain_graph: bool) {
        assert_eq!(
            grad.dims(),
            self.value().dims(),
            "backward_with: gradient shape {} does not match output shape {}",
            grad.shape(),
            self.value().shape()
        );
        run_backward(self, grad.clone(), retain_graph);
    }
}
