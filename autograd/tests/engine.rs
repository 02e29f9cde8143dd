//! Graph semantics: accumulation, zero_grad, no_grad, detach, retain_graph, checkpoint, dropout.

use kiln_autograd::{Var, checkpoint, is_grad_enabled, no_grad};
use kiln_tensor::{Generator, Tensor, tensor};

#[test]
fn gradients_accumulate_until_zero_grad() {
    let w = Var::parameter(tensor![1.0, 2.0]);
    for _ in 0..2 {
        w.mul_scalar(3.0).sum().backward();
    }
    assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![6.0, 6.0]);
    w.zero_grad();
    assert!(w.grad().is_none());
    w.sum().backward();
    assert_eq!(w.grad().unwrap().to_vec::<f32>(), vec![1.0, 1.0]);
}

#[test]
fn shared_subexpressions_sum_their_gradients() {
    // y = x*x + x  ->  dy/dx = 2x + 1
    let x = Var::parameter(tensor![3.0]);
    let y = x.mul(&x).add(&x);
    y.sum().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![7.0]);
}

#[test]
fn no_grad_records_nothing_and_nests() {
    let w = Var::parameter(tensor![1.0]);
    {
        let _outer = no_grad();
        {
            let _inner = no_grad();
        }
        assert!(!is_grad_enabled());
        let y = w.mul_scalar(2.0);
        assert!(!y.requires_grad());
        assert!(y.is_leaf());
    }
    assert!(is_grad_enabled());
    assert!(w.mul_scalar(2.0).requires_grad());
}

#[test]
fn detach_and_frozen_leaves_get_no_gradient() {
    let a = Var::parameter(tensor![2.0]);
    let b = Var::parameter(tensor![5.0]);
    b.requires_grad_(false);
    let y = a.mul(&b).add(&a.detach());
    y.sum().backward();
    assert_eq!(a.grad().unwrap().to_vec::<f32>(), vec![5.0]);
    assert!(b.grad().is_none());
    assert_eq!(y.grad_fn_name(), Some("AddBackward0"));
}

#[test]
fn backward_with_and_retain_graph() {
    let x = Var::parameter(tensor![1.0, 2.0]);
    let y = x.pow_scalar(2.0);
    y.backward_with(&tensor![1.0, 0.5], true);
    y.backward_with(&tensor![1.0, 0.5], false);
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![4.0, 4.0]);
}

#[test]
#[should_panic(expected = "backward through the graph a second time")]
fn second_backward_without_retain_graph_panics() {
    let x = Var::parameter(tensor![1.0]);
    let y = x.exp().sum();
    y.backward();
    y.backward();
}

#[test]
fn backward_releases_views_of_parameters() {
    // `Linear` computes x·wᵀ through a transposed view of the weight, which shares its storage.
    // While the output is alive, that view must not keep the weight's buffer shared after
    // `backward`, or an optimizer step could not update the weight in place.
    let w = Var::parameter(tensor![[1.0, 2.0], [3.0, 4.0]]);
    let x = Var::constant(tensor![[1.0, -1.0]]);
    let out = x.matmul(&w.t()).sum();
    assert!(!w.update_value(|v| v.as_mut_slice::<f32>().is_some()));
    out.backward();
    assert!(w.update_value(|v| v.as_mut_slice::<f32>().is_some()));
    // The gradient comes out in the weight's own (row-major) layout, not as a transposed view.
    assert!(w.grad().unwrap().is_contiguous());
    assert_eq!(out.grad_fn_name(), Some("SumBackward1"));
}

#[test]
#[should_panic(expected = "grad can be implicitly created only for scalar outputs")]
fn backward_on_non_scalar_panics() {
    Var::parameter(tensor![1.0, 2.0]).exp().backward();
}

#[test]
#[should_panic(expected = "does not require grad")]
fn backward_on_constant_panics() {
    Var::constant(tensor![1.0]).sum().backward();
}

#[test]
fn checkpoint_gives_the_same_gradients_and_reaches_captured_parameters() {
    let w = Var::parameter(tensor![[0.5, -1.0], [2.0, 0.25]]);
    let x = Var::parameter(tensor![[1.0, 2.0]]);
    let plain = x.matmul(&w).tanh().matmul(&w).sum();
    plain.backward();
    let (gx, gw) = (
        x.grad().unwrap().to_vec::<f32>(),
        w.grad().unwrap().to_vec::<f32>(),
    );
    x.zero_grad();
    w.zero_grad();
    let w2 = w.clone();
    let seg = checkpoint(
        move |s| s[0].matmul(&w2).tanh().matmul(&w2),
        std::slice::from_ref(&x),
    );
    assert_eq!(seg.grad_fn_name(), Some("CheckpointFunctionBackward"));
    seg.sum().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), gx);
    assert_eq!(w.grad().unwrap().to_vec::<f32>(), gw);
}

#[test]
fn dropout_scales_kept_values_and_masks_gradients() {
    let x = Var::parameter(Tensor::ones([1000]));
    let y = x.dropout_with(0.25, true, &mut Generator::new(3));
    let v = y.value().to_vec::<f32>();
    assert!(v.iter().all(|&e| e == 0.0 || (e - 4.0 / 3.0).abs() < 1e-6));
    let kept = v.iter().filter(|&&e| e != 0.0).count();
    assert!((700..800).contains(&kept), "kept {kept}");
    y.sum().backward();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), v);
    let eval = x.dropout(0.25, false);
    assert_eq!(eval.value().to_vec::<f32>(), vec![1.0; 1000]);
}

#[test]
fn f32_training_step_of_a_linear_model() {
    // One SGD step of y = x·wᵀ + b on MSE, checked against values worked out by hand.
    let w = Var::parameter(tensor![[0.5, -0.5]]);
    let b = Var::parameter(tensor![0.1]);
    let x = Var::constant(tensor![[1.0, 2.0], [3.0, 4.0]]);
    let target = Var::constant(tensor![[1.0], [0.0]]);
    let pred = x.matmul(&w.t()).add(&b); // [-0.4, -0.4]
    let loss = pred.sub(&target).pow_scalar(2.0).mean(); // ((-1.4)² + (-0.4)²)/2 = 1.06
    loss.backward();
    assert!((loss.value().item::<f32>() - 1.06).abs() < 1e-6);
    // dL/dpred = [-1.4, -0.4]; dL/dw = [-1.4*1 - 0.4*3, -1.4*2 - 0.4*4] = [-2.6, -4.4]
    let gw = w.grad().unwrap().to_vec::<f32>();
    assert!(
        (gw[0] + 2.6).abs() < 1e-6 && (gw[1] + 4.4).abs() < 1e-6,
        "{gw:?}"
    );
    assert!((b.grad().unwrap().item::<f32>() + 1.8).abs() < 1e-6);
}
