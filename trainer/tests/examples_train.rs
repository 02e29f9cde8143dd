//! The seeds' `number_sum` training loop (`examples/number_sum.rs`) learns to add: the loss
//! falls and the model answers 3 + 7 within 0.5 of 10, as the seed's 10.1067 does.

#[path = "../examples/number_sum.rs"]
mod number_sum;

#[test]
fn number_sum_learns_to_add() {
    let (history, model) = number_sum::train(10, 0, false);
    assert_eq!(history.len(), 10);
    assert!(
        history[9] < history[0] / 10.0,
        "loss did not fall: {history:?}"
    );
    let prediction = number_sum::predict(&model, 3.0, 7.0);
    assert!(
        (prediction - 10.0).abs() < 0.5,
        "3 + 7 predicted as {prediction}"
    );
}
