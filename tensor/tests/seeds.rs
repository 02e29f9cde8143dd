//! The values and printed text of the seeds' tensor examples (see `examples/tour.rs`).

use kiln_tensor::{DType, Tensor, tensor};

/// The seeds' `f'Shape of {t} is {t.shape} and dimension is {t.dim()}'`.
fn describe(t: &Tensor) -> String {
    format!(
        "Shape of {t} is {} and dimension is {}",
        t.shape().to_torch_string(),
        t.dim()
    )
}

/* deep-learning-fundamentals.md:
images = torch.rand((4, 28, 28))
second_image = images[1]
*/
#[test]
fn rand_images_and_indexing() {
    let images = Tensor::rand([4, 28, 28]);
    let second_image = images.select(0, 1);
    assert_eq!(images.dims(), &[4, 28, 28]);
    assert_eq!(second_image.dims(), &[28, 28]);
    let all = images.to_vec::<f32>();
    assert_eq!(
        second_image.to_vec::<f32>(),
        all[28 * 28..2 * 28 * 28].to_vec()
    );
    assert!(
        all.iter().all(|x| (0.0..1.0).contains(x)),
        "rand draws from [0, 1)"
    );
}

/* deep-learning-fundamentals.md:
a = torch.tensor([[1, 1], [1, 0]]); print(a); print(torch.matrix_power(a, k)) for k = 2, 3, 4
*/
#[test]
fn matrix_powers_print_as_in_the_seed() {
    let a = tensor![[1, 1], [1, 0]];
    assert_eq!(a.dtype(), DType::I64);
    assert_eq!(a.to_string(), "tensor([[1, 1],\n        [1, 0]])");
    let printed = [
        (2, [2, 1, 1, 1], "tensor([[2, 1],\n        [1, 1]])"),
        (3, [3, 2, 2, 1], "tensor([[3, 2],\n        [2, 1]])"),
        (4, [5, 3, 3, 2], "tensor([[5, 3],\n        [3, 2]])"),
    ];
    for (k, values, text) in printed {
        let p = a.matrix_power(k);
        assert_eq!(p.dtype(), DType::I64, "integer tensors stay integer");
        assert_eq!(p.to_vec::<i64>(), values.to_vec());
        assert_eq!(p.to_string(), text);
    }
}

/* pytorch-tensors-and-transfer-learning.md:
one_d_tensor = torch.LongTensor([0, 1, 2, 3, 4]) ... two_d_tensor = torch.LongTensor([[0, 1, 2], [3, 4, 5], [6, 7, 8]])
*/
#[test]
fn long_tensor_shapes_and_dims() {
    let five = tensor![0, 1, 2, 3, 4];
    assert_eq!(
        (five.dims(), five.dim(), five.dtype()),
        (&[5][..], 1, DType::I64)
    );
    assert_eq!(
        describe(&five),
        "Shape of tensor([0, 1, 2, 3, 4]) is torch.Size([5]) and dimension is 1"
    );
    let three = tensor![0, 1, 2];
    assert_eq!(
        describe(&three),
        "Shape of tensor([0, 1, 2]) is torch.Size([3]) and dimension is 1"
    );
    let square = tensor![[0, 1, 2], [3, 4, 5], [6, 7, 8]];
    assert_eq!(square.shape().to_torch_string(), "torch.Size([3, 3])");
    assert_eq!((square.dims(), square.dim()), (&[3, 3][..], 2));
    assert_eq!(
        describe(&square),
        "Shape of tensor([[0, 1, 2],\n        [3, 4, 5],\n        [6, 7, 8]]) is torch.Size([3, 3]) and dimension is 2"
    );
}

/* pytorch-tensors-and-transfer-learning.md, "unsqueeze and squeeze":
two_d_tensor = one_d_tensor.unsqueeze(0)
*/
#[test]
fn unsqueeze_adds_a_batch_dim_and_squeeze_removes_it() {
    let one_d_tensor = tensor![0, 1, 2];
    let two_d_tensor = one_d_tensor.unsqueeze(0);
    assert_eq!((two_d_tensor.dims(), two_d_tensor.dim()), (&[1, 3][..], 2));
    assert_eq!(
        describe(&two_d_tensor),
        "Shape of tensor([[0, 1, 2]]) is torch.Size([1, 3]) and dimension is 2"
    );
    assert!(
        two_d_tensor.shares_storage_with(&one_d_tensor),
        "unsqueeze is a view"
    );
    let back = two_d_tensor.squeeze();
    assert_eq!((back.dims(), back.dim()), (&[3][..], 1));
    assert_eq!(back.to_vec::<i64>(), vec![0, 1, 2]);
}
