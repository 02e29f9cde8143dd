//! `register_post_accumulate_grad_hook`: when hooks run, what they see, and removal.

use std::sync::{Arc, Mutex};

use kiln_autograd::Var;
use kiln_tensor::tensor;

#[test]
fn hook_runs_once_per_backward_after_every_use_with_the_summed_gradient() {
    // w is used twice; the hook must see the full 2 + 3 = 5, once.
    let w = Var::parameter(tensor![1.0]);
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let _handle = w.register_post_accumulate_grad_hook(move |leaf| {
        log.lock()
            .unwrap()
            .push(leaf.grad().unwrap().to_vec::<f32>()[0]);
    });
    let y = w.mul_scalar(2.0).add(&w.mul_scalar(3.0));
    y.sum().backward();
    assert_eq!(*seen.lock().unwrap(), [5.0]);
    // A second backward accumulates (5 + 5) and runs the hook again.
    w.mul_scalar(5.0).sum().backward();
    assert_eq!(*seen.lock().unwrap(), [5.0, 10.0]);
}

#[test]
fn hooks_fire_in_backward_order_output_side_first() {
    // y = (x * a) * b: b's gradient is ready before a's.
    let (a, b) = (Var::parameter(tensor![2.0]), Var::parameter(tensor![3.0]));
    let x = Var::constant(tensor![1.0]);
    let order = Arc::new(Mutex::new(Vec::new()));
    for (name, var) in [("a", &a), ("b", &b)] {
        let order = order.clone();
        var.register_post_accumulate_grad_hook(move |_| order.lock().unwrap().push(name));
    }
    x.mul(&a).mul(&b).sum().backward();
    assert_eq!(*order.lock().unwrap(), ["b", "a"]);
}

#[test]
fn removed_hooks_stop_running() {
    let w = Var::parameter(tensor![1.0]);
    let count = Arc::new(Mutex::new(0));
    let counter = count.clone();
    let handle = w.register_post_accumulate_grad_hook(move |_| *counter.lock().unwrap() += 1);
    w.sum().backward();
    handle.remove();
    w.sum().backward();
    assert_eq!(*count.lock().unwrap(), 1);
}

#[test]
#[should_panic(expected = "non-leaf")]
fn hooks_on_non_leaves_are_refused() {
    let w = Var::parameter(tensor![1.0]);
    w.mul_scalar(2.0).register_post_accumulate_grad_hook(|_| {});
}

#[test]
fn a_leaf_is_accumulated_as_soon_as_its_last_consumer_ran() {
    // Three chained matmuls: the last weight's gradient is complete right after the last
    // matmul's backward, before the earlier layers' backward runs (what lets DDP overlap
    // communication with the rest of backward).
    let x = Var::constant(kiln_tensor::Tensor::ones([2, 3]));
    let weights: Vec<Var> = (0..3)
        .map(|_| Var::parameter(kiln_tensor::Tensor::ones([3, 3])))
        .collect();
    let order = Arc::new(Mutex::new(Vec::new()));
    for (i, w) in weights.iter().enumerate() {
        let order = order.clone();
        let earlier: Vec<Var> = weights[..i].to_vec();
        w.register_post_accumulate_grad_hook(move |_| {
            assert!(
                earlier.iter().all(|e| e.grad().is_none()),
                "layer {i} was accumulated after an earlier layer's backward"
            );
            order.lock().unwrap().push(i);
        });
    }
    let h = weights.iter().fold(x, |h, w| h.matmul(w));
    h.sum().backward();
    assert_eq!(*order.lock().unwrap(), [2, 1, 0]);
}
