//! The seeds' `NumberProductDataset` and `DataLoader(batch_size=3, shuffle=True)`
//! (deep-learning-fundamentals.md): each item is `((n, n + 1), n·(n + 1))`; the loader collates
//! the pairs into two tensors and the products into one, as PyTorch's `default_collate` does.
//!
//! ```text
//! cargo run --release -p kiln-trainer --example number_product
//! ```

use kiln_data::{DataLoader, Dataset};

/// Items `((n, n + 1), n·(n + 1))` for `n` in `start..end` (the seeds' `NumberProductDataset`).
struct NumberProductDataset {
    numbers: Vec<i64>,
}

impl NumberProductDataset {
    fn new(start: i64, end: i64) -> NumberProductDataset {
        NumberProductDataset {
            numbers: (start..end).collect(),
        }
    }
}

impl Dataset for NumberProductDataset {
    type Item = ((i64, i64), i64);

    fn len(&self) -> usize {
        self.numbers.len()
    }

    fn get(&self, index: usize) -> ((i64, i64), i64) {
        let number1 = self.numbers[index];
        let number2 = self.numbers[index] + 1;
        ((number1, number2), number1 * number2)
    }
}

fn main() {
    kiln_tensor::init_thread_pool(None).expect("first thing in main");
    let dataset = NumberProductDataset::new(0, 11);
    println!("{:?}", dataset.get(3)); // ((3, 4), 12)

    let dataset = NumberProductDataset::new(0, 5);
    let dataloader = DataLoader::new(dataset)
        .with_batch_size(3)
        .with_shuffle(true)
        .with_seed(0);
    for ((first, second), products) in &dataloader {
        println!("[{first}, {second}] {products}");
    }
}
