//! The seeds' first training loop (deep-learning-fundamentals.md): an MLP 2→128→1 learns to add
//! two numbers from `NumberSumDataset(data_range=(0, 100))`, batch 100, shuffled, MSE loss,
//! Adam lr 1e-3, 10 epochs; then predicts 3 + 7.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example number_sum
//! ```

use kiln_autograd::{Var, no_grad};
use kiln_data::{DataLoader, Dataset};
use kiln_nn::loss::MSELoss;
use kiln_nn::{Forward, Linear, Module, ReLU};
use kiln_optim::{Adam, AdamConfig, Optimizer};
use kiln_tensor::{Tensor, manual_seed};

/// Every pair `(a, b)` of numbers in `start..end`, with target `a + b` (the seeds'
/// `NumberSumDataset`).
pub struct NumberSumDataset {
    numbers: Vec<f32>,
}

impl NumberSumDataset {
    /// The pairs of `start..end`.
    pub fn new(start: u32, end: u32) -> NumberSumDataset {
        NumberSumDataset {
            numbers: (start..end).map(|n| n as f32).collect(),
        }
    }
}

impl Dataset for NumberSumDataset {
    type Item = (Tensor, Tensor);

    fn len(&self) -> usize {
        self.numbers.len() * self.numbers.len()
    }

    fn get(&self, index: usize) -> (Tensor, Tensor) {
        let n = self.numbers.len();
        let (a, b) = (self.numbers[index / n], self.numbers[index % n]);
        (
            Tensor::from_vec(vec![a, b], [2]),
            Tensor::from_vec(vec![a + b], [1]),
        )
    }
}

/// The seeds' `MLP(input_size)`: Linear(input, 128) → ReLU → Linear(128, 1).
#[allow(clippy::upper_case_acronyms)] // the seeds' class name, which `Display` prints
#[derive(kiln_nn::Module)]
pub struct MLP {
    hidden_layer: Linear,
    output_layer: Linear,
    activation: ReLU,
}

impl MLP {
    /// `MLP(input_size=…)`.
    pub fn new(input_size: usize) -> MLP {
        MLP {
            hidden_layer: Linear::new(input_size, 128, true),
            output_layer: Linear::new(128, 1, true),
            activation: ReLU,
        }
    }

    /// `output_layer(relu(hidden_layer(x)))`.
    pub fn forward(&self, x: &Var) -> Var {
        let h = self.activation.forward(&self.hidden_layer.forward(x));
        self.output_layer.forward(&h)
    }
}

/// Trains as the seed does, printing each epoch's loss when `verbose`; returns each epoch's
/// sum of batch losses and the model.
pub fn train(epochs: usize, seed: u64, verbose: bool) -> (Vec<f64>, MLP) {
    manual_seed(seed);
    let dataset = NumberSumDataset::new(0, 100);
    let dataloader = DataLoader::new(dataset)
        .with_batch_size(100)
        .with_shuffle(true)
        .with_seed(seed);
    let model = MLP::new(2);
    let loss_function = MSELoss::new();
    let mut optimizer = Adam::new(model.parameters(), AdamConfig::new(0.001));
    let mut history = Vec::with_capacity(epochs);
    for epoch in 0..epochs {
        let mut total_loss = 0.0;
        for (number_pairs, sums) in &dataloader {
            let predictions = model.forward(&Var::constant(number_pairs));
            let loss = loss_function.forward(&predictions, &Var::constant(sums));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad(true);
            total_loss += loss.value().item::<f32>() as f64;
        }
        if verbose {
            println!("Epoch {epoch}: Sum of Batch Losses = {total_loss:.5}");
        }
        history.push(total_loss);
    }
    (history, model)
}

/// The model's answer for `a + b`.
pub fn predict(model: &MLP, a: f32, b: f32) -> f32 {
    let _guard = no_grad();
    model
        .forward(&Var::constant(Tensor::from_vec(vec![a, b], [2])))
        .value()
        .item::<f32>()
}

#[allow(dead_code)] // a test and a bench include this file and call `train` directly
fn main() {
    kiln_tensor::init_thread_pool(None).expect("first thing in main");
    let (_, model) = train(10, 0, true);
    println!("Test the model on 3 + 7: {:.4}", predict(&model, 3.0, 7.0));
}
