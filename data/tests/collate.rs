//! Collation: default stacking and token padding / truncation / trimming.

use kiln_data::{
    Collate, DataCollatorWithPadding, DataLoader, DefaultCollate, FnDataset, TokenSequence,
    trim_to_longest,
};
use kiln_tensor::Tensor;

#[test]
fn default_collate_nested_items() {
    let items = vec![
        (
            Tensor::from_vec(vec![1.0f32, 2.0], [2]),
            0i64,
            "a".to_string(),
        ),
        (Tensor::from_vec(vec![3.0f32, 4.0], [2]), 1, "b".to_string()),
    ];
    let (x, y, s) = DefaultCollate.collate(items);
    assert_eq!(x.dims(), &[2, 2]);
    assert_eq!(y.to_vec::<i64>(), vec![0, 1]);
    assert_eq!(s, vec!["a", "b"]);
    let vecs = DefaultCollate.collate(vec![vec![1.0f32, 10.0], vec![2.0, 20.0]]);
    assert_eq!(vecs[1].to_vec::<f32>(), vec![10.0, 20.0]);
}

#[test]
#[should_panic(expected = "equal size")]
fn default_collate_rejects_ragged_lists() {
    let _ = DefaultCollate.collate(vec![vec![1.0f32], vec![2.0, 3.0]]);
}

#[test]
fn pads_to_longest_with_masks_and_labels() {
    let items = vec![(vec![101i64, 7, 102], 1i64), (vec![101, 102], 0)];
    let b = DataCollatorWithPadding::new().collate(items);
    assert_eq!(b.input_ids.dims(), &[2, 3]);
    assert_eq!(b.input_ids.to_vec::<i64>(), vec![101, 7, 102, 101, 102, 0]);
    assert_eq!(b.attention_mask.to_vec::<i64>(), vec![1, 1, 1, 1, 1, 0]);
    assert_eq!(b.labels.expect("labels").to_vec::<i64>(), vec![1, 0]);
    assert!(b.token_type_ids.is_none());
}

#[test]
fn max_length_truncation_pad_id_and_types() {
    let items = vec![
        TokenSequence {
            input_ids: vec![1, 2, 3, 4, 5, 6],
            token_type_ids: Some(vec![0, 0, 0, 1, 1, 1]),
            label: None,
        },
        TokenSequence {
            input_ids: vec![1, 2],
            token_type_ids: Some(vec![0, 1]),
            label: None,
        },
    ];
    let c = DataCollatorWithPadding::new()
        .with_truncation(4)
        .with_max_length_padding(5)
        .with_pad_token_id(-1);
    // Truncation first cuts to 4, padding then fills to max_length 5.
    let b = c.collate(items.clone());
    assert_eq!(
        b.input_ids.to_vec::<i64>(),
        vec![1, 2, 3, 4, -1, 1, 2, -1, -1, -1]
    );
    assert_eq!(
        b.attention_mask.to_vec::<i64>(),
        vec![1, 1, 1, 1, 0, 1, 1, 0, 0, 0]
    );
    assert_eq!(
        b.token_type_ids.expect("types").to_vec::<i64>(),
        vec![0, 0, 0, 1, 0, 0, 1, 0, 0, 0]
    );
    let b = DataCollatorWithPadding::new()
        .with_truncation(3)
        .with_pad_to_multiple_of(8)
        .collate(items);
    assert_eq!(b.input_ids.dims(), &[2, 8]);
}

#[test]
fn trims_to_the_longest_real_sequence() {
    let ids = Tensor::from_vec(vec![5i64, 6, 0, 0, 7, 0, 0, 0], [2, 4]);
    let mask = Tensor::from_vec(vec![1i64, 1, 0, 0, 1, 0, 0, 0], [2, 4]);
    let (i, m) = trim_to_longest(&ids, &mask);
    assert_eq!(i.dims(), &[2, 2]);
    assert_eq!(i.contiguous().to_vec::<i64>(), vec![5, 6, 7, 0]);
    assert_eq!(m.contiguous().to_vec::<i64>(), vec![1, 1, 1, 0]);
}

#[test]
fn loader_with_padding_collator_and_workers() {
    let data = FnDataset::new(10, |i| (vec![1i64; i + 1], (i % 2) as i64));
    let loader = DataLoader::new(data)
        .with_batch_size(4)
        .with_num_workers(2)
        .with_collate(DataCollatorWithPadding::new());
    let lens: Vec<usize> = loader.iter().map(|b| b.input_ids.dims()[1]).collect();
    assert_eq!(lens, vec![4, 8, 10]);
}
