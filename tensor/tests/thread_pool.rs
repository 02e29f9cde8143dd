//! `init_thread_pool`: the calling thread becomes worker 0 of rayon's global pool, parallel
//! ops called from it give the same values as on a pool of helper threads, and a second call
//! is a typed error. One test, alone in its binary, because the global pool can be built once
//! per process and must not exist before the call.

use kiln_tensor::{DType, Device, Generator, Tensor, init_thread_pool};

/// Large enough that every op below takes its parallel path.
fn inputs() -> (Tensor, Tensor, Tensor) {
    let mut g = Generator::new(11);
    let table = Tensor::randn_from([4096, 384], DType::F32, &Device::Cpu, &mut g);
    let ids = Tensor::from_vec((0..4096i64).map(|i| (i * 37) % 4096).collect(), [4096]);
    let w = Tensor::randn_from([512, 384], DType::F32, &Device::Cpu, &mut g);
    (table, ids, w)
}

fn outputs(table: &Tensor, ids: &Tensor, w: &Tensor) -> Vec<Vec<f32>> {
    let rows = table.index_select(0usize, ids);
    vec![
        rows.to_vec::<f32>(),
        rows.matmul(&w.t()).to_vec::<f32>(),
        rows.softmax(-1i64).to_vec::<f32>(),
        rows.layer_norm(&[384], None, None, 1e-12).to_vec::<f32>(),
        rows.sum_dim(&[0], false).to_vec::<f32>(),
    ]
}

#[test]
fn the_caller_is_worker_zero_and_ops_give_the_same_values() {
    let (table, ids, w) = inputs();
    // Computed on a separate pool of helper threads, before the global pool exists.
    let helpers = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let expected = helpers.install(|| outputs(&table, &ids, &w));
    assert_eq!(rayon::current_thread_index(), None);

    init_thread_pool(Some(2)).expect("no global pool yet");
    assert_eq!(rayon::current_thread_index(), Some(0));
    assert_eq!(rayon::current_num_threads(), 2);
    let got = outputs(&table, &ids, &w);
    for (i, (a, b)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(a, b, "output {i}");
    }
    // Work split across both workers from the caller completes and sums correctly.
    let (a, b) = rayon::join(
        || (0..1000u64).sum::<u64>(),
        || (1000..2000u64).sum::<u64>(),
    );
    assert_eq!((a, b), (499_500, 1_499_500));

    let err = init_thread_pool(Some(2)).expect_err("the pool exists");
    assert!(err.to_string().contains("once per process"), "{err}");
}
