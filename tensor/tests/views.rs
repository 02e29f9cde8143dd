//! Views share storage and index like PyTorch's.

use kiln_tensor::{Tensor, tensor};
use proptest::prelude::*;

fn arange(shape: &[usize]) -> Tensor {
    let n: usize = shape.iter().product();
    Tensor::arange(0i64, n as i64, 1).reshape_to(shape.to_vec())
}

#[test]
fn transpose_and_permute_are_views() {
    let a = arange(&[2, 3, 4]);
    let t = a.transpose(0usize, 2usize);
    assert_eq!(t.dims(), &[4, 3, 2]);
    assert!(t.shares_storage_with(&a));
    assert!(!t.is_contiguous());
    // a[1, 2, 3] == t[3, 2, 1]
    assert_eq!(
        t.select(0usize, 3)
            .select(0usize, 2)
            .select(0usize, 1)
            .item::<i64>(),
        23
    );
    let p = a.permute(&[1, 2, 0]);
    assert_eq!(p.dims(), &[3, 4, 2]);
    assert_eq!(p.contiguous().to_vec::<i64>()[..4], [0, 12, 1, 13]);
}

#[test]
fn reshape_views_when_possible_and_copies_otherwise() {
    let a = arange(&[4, 6]);
    let r = a.reshape(&[2, -1, 3]);
    assert_eq!(r.dims(), &[2, 4, 3]);
    assert!(r.shares_storage_with(&a));
    let t = a.t();
    let flat = t.reshape(&[-1]);
    assert!(!flat.shares_storage_with(&a));
    assert_eq!(flat.to_vec::<i64>()[..5], [0, 6, 12, 18, 1]);
    // A narrowed view that stays mergeable reshapes without a copy.
    let n = arange(&[4, 2, 3]).narrow(0usize, 1, 2);
    assert!(n.reshape(&[2, 6]).shares_storage_with(&n));
}

#[test]
#[should_panic(expected = "view: size [24] is not compatible with input of shape [6, 4]")]
fn view_of_transposed_panics() {
    arange(&[4, 6]).t().view(&[-1]);
}

#[test]
fn squeeze_unsqueeze_like_the_seeds() {
    // one_d_tensor.unsqueeze(0): shape (3,) -> (1, 3)
    let one = tensor![0, 1, 2];
    let two = one.unsqueeze(0usize);
    assert_eq!((two.dims(), two.dim()), (&[1usize, 3][..], 2));
    assert_eq!(two.squeeze().dims(), &[3]);
    assert_eq!(one.unsqueeze(-1i64).dims(), &[3, 1]);
    assert_eq!(arange(&[1, 3, 1]).squeeze_dim(-1i64).dims(), &[1, 3]);
    assert_eq!(arange(&[2, 3]).squeeze_dim(0usize).dims(), &[2, 3]);
}

#[test]
fn narrow_slice_select_chunk_split() {
    let a = arange(&[5, 4]);
    assert_eq!(
        a.narrow(0usize, 1, 2).to_vec::<i64>(),
        (4..12).collect::<Vec<_>>()
    );
    assert_eq!(a.slice(1usize, 1, -1).to_vec::<i64>()[..2], [1, 2]);
    assert_eq!(a.slice(1usize, -100, 100).dims(), &[5, 4]);
    assert_eq!(a.select(0usize, -1).to_vec::<i64>(), vec![16, 17, 18, 19]);
    let chunks = a.chunk(2, 0usize);
    assert_eq!(
        chunks.iter().map(|c| c.dims()[0]).collect::<Vec<_>>(),
        vec![3, 2]
    );
    let splits = a.split(3, 1usize);
    assert_eq!(
        splits.iter().map(|c| c.dims()[1]).collect::<Vec<_>>(),
        vec![3, 1]
    );
    // torch.arange(6).chunk(4) gives 3 chunks of 2.
    assert_eq!(Tensor::arange(0i64, 6, 1).chunk(4, 0usize).len(), 3);
}

#[test]
fn flatten_and_expand() {
    let a = arange(&[2, 3, 4]);
    assert_eq!(a.flatten(1usize, -1i64).dims(), &[2, 12]);
    assert_eq!(a.flatten(0usize, -1i64).dims(), &[24]);
    let col = tensor![[1], [2]];
    let e = col.expand(&[-1, 3]);
    assert_eq!(e.to_vec::<i64>(), vec![1, 1, 1, 2, 2, 2]);
    assert_eq!(e.strides(), &[1, 0]);
    assert_eq!(
        tensor![1, 2].broadcast_to([2, 2]).to_vec::<i64>(),
        vec![1, 2, 1, 2]
    );
}

#[test]
#[should_panic(expected = "broadcast_to: the shape [3] cannot be broadcast to [2, 2]")]
fn bad_broadcast_panics() {
    tensor![1, 2, 3].broadcast_to([2, 2]);
}

#[test]
#[should_panic(expected = "narrow: start (3) + length (2) exceeds dimension size (4)")]
fn narrow_out_of_range_panics() {
    arange(&[4]).narrow(0usize, 3, 2);
}

#[test]
#[should_panic(expected = "transpose: dimension 2 out of range for a tensor of 2 dimensions")]
fn bad_dim_panics() {
    arange(&[2, 2]).transpose(0usize, 2usize);
}

proptest! {
    #[test]
    fn reshape_round_trips_any_permutation(
        dims in proptest::collection::vec(0usize..4, 1..5),
        seed in any::<u64>(),
    ) {
        let a = arange(&dims);
        let mut perm: Vec<i64> = (0..dims.len() as i64).collect();
        // Deterministic shuffle from the seed.
        let mut s = seed;
        for i in (1..perm.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let p = a.permute(&perm);
        let flat = p.reshape(&[-1]);
        prop_assert_eq!(flat.numel(), a.numel());
        // Element at permuted index equals the source element.
        let src = a.to_vec::<i64>();
        let got = flat.to_vec::<i64>();
        let pd = p.dims().to_vec();
        for (k, &v) in got.iter().enumerate() {
            let mut rem = k;
            let mut idx = vec![0; pd.len()];
            for d in (0..pd.len()).rev() { idx[d] = rem % pd[d]; rem /= pd[d]; }
            let mut src_idx = vec![0; dims.len()];
            for (i, &pi) in perm.iter().enumerate() { src_idx[pi as usize] = idx[i]; }
            let f: usize = src_idx.iter().zip(&dims).fold(0, |acc, (i, d)| acc * d + i);
            prop_assert_eq!(v, src[f]);
        }
    }
}
