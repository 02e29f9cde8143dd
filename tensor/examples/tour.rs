//! The seeds' tensor examples, line by line (`cargo run -p kiln-tensor --example tour`).
//!
//! Each block names the seed it comes from and prints what the seed's Python prints.

use kiln_tensor::{Tensor, manual_seed, tensor};

/// The seed's `print(f'Shape of {t} is {t.shape} and dimension is {t.dim()}')`.
fn describe(t: &Tensor) -> String {
    format!(
        "Shape of {t} is {} and dimension is {}",
        t.shape().to_torch_string(),
        t.dim()
    )
}

fn main() {
    // shared/seeds/deep-learning-fundamentals.md, "Creation of Tensors":
    //   images = torch.rand((4, 28, 28)); second_image = images[1]
    manual_seed(0);
    let images = Tensor::rand([4, 28, 28]);
    let second_image = images.select(0, 1);
    println!("images.shape = {}", images.shape().to_torch_string());
    println!(
        "second_image.shape = {}",
        second_image.shape().to_torch_string()
    );

    // Same seed, "Operations on Tensors": a = torch.tensor([[1, 1], [1, 0]]); matrix powers.
    let a = tensor![[1, 1], [1, 0]];
    println!("{a}");
    for k in 2..=4 {
        println!("{}", a.matrix_power(k));
    }

    // shared/seeds/pytorch-tensors-and-transfer-learning.md: LongTensor shapes and dim().
    let one_d_tensor = tensor![0, 1, 2, 3, 4];
    println!("{}", describe(&one_d_tensor));
    let one_d_tensor = tensor![0, 1, 2];
    println!("{}", describe(&one_d_tensor));
    let two_d_tensor = tensor![[0, 1, 2], [3, 4, 5], [6, 7, 8]];
    println!("{}", two_d_tensor.shape().to_torch_string());
    println!("{}", describe(&two_d_tensor));

    // Same seed, "unsqueeze and squeeze": add a batch dimension in front, then remove it.
    let one_d_tensor = tensor![0, 1, 2];
    println!("{}", describe(&one_d_tensor));
    let two_d_tensor = one_d_tensor.unsqueeze(0);
    println!("{}", describe(&two_d_tensor));
    println!("{}", describe(&two_d_tensor.squeeze()));
}
