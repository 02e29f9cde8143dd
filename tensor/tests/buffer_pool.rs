//! The host buffer cache: freed large buffers are kept up to the limit and reused, reused
//! buffers never leak stale values, and small buffers are never cached.
//!
//! One test function, because the cache is process-wide state that parallel tests would share.

use kiln_tensor::{
    MIN_POOLED_BYTES, Tensor, cache_limit, cached_bytes, empty_cache, set_cache_limit,
};

/// Elements of an f32 tensor just above the caching threshold.
const BIG: usize = MIN_POOLED_BYTES / 4 + 1024;

#[test]
fn freed_buffers_are_cached_bounded_and_reused_without_stale_values() {
    assert_eq!(cache_limit(), 1 << 30, "default limit");
    empty_cache();
    assert_eq!(cached_bytes(), 0);

    // Small tensors are never cached.
    drop(Tensor::ones([1000]));
    assert_eq!(cached_bytes(), 0);

    // A dropped large tensor is kept ...
    let sevens = Tensor::full([BIG], 7.0);
    drop(sevens);
    let held = cached_bytes();
    assert!(held >= BIG * 4, "held {held}");

    // ... and reused by the next op of that size, which must not see the old sevens.
    let zeros = Tensor::zeros([BIG]);
    assert_eq!(cached_bytes(), 0, "the cached buffer was handed out again");
    assert!(zeros.to_vec::<f32>().iter().all(|&v| v == 0.0));
    let x = Tensor::arange(0.0f32, BIG as f32, 1.0);
    drop(zeros);
    let y = x.sqrt().neg(); // map1 output reuses the zeros' buffer
    let expected: Vec<f32> = x.to_vec::<f32>().iter().map(|v| -v.sqrt()).collect();
    assert_eq!(y.to_vec::<f32>(), expected);

    // Kernels that write into a reused buffer without zeroing it first overwrite every element.
    let x = Tensor::randn([BIG / 256, 256]);
    let identity = Tensor::eye(256);
    set_cache_limit(0);
    let expected = [
        x.softmax(-1),
        x.layer_norm(&[256], None, None, 1e-5),
        x.t().exp(),
        x.matmul(&identity),
    ]
    .map(|t| t.to_vec::<f32>());
    set_cache_limit(1 << 30);
    for (i, expected) in expected.iter().enumerate() {
        drop(Tensor::full([BIG], f64::NAN));
        let fresh = match i {
            0 => x.softmax(-1),
            1 => x.layer_norm(&[256], None, None, 1e-5),
            2 => x.t().exp(),
            _ => x.matmul(&identity),
        };
        assert_eq!(&fresh.to_vec::<f32>(), expected, "kernel {i} after reuse");
    }

    // A buffer of another element type is not reused for f32.
    empty_cache();
    drop(Tensor::zeros([BIG]).to_dtype(kiln_tensor::DType::F64));
    let _first = Tensor::zeros([BIG]); // takes the buffer of the f32 temporary
    let held_f64 = cached_bytes();
    assert!(held_f64 >= BIG * 8);
    let _second = Tensor::zeros([BIG]);
    assert_eq!(cached_bytes(), held_f64);

    // A buffer far larger than the request is not handed out for it.
    empty_cache();
    drop(Tensor::zeros([BIG * 4]));
    let _small = Tensor::zeros([BIG]);
    assert!(cached_bytes() >= BIG * 16);

    // The limit evicts the oldest buffers; 0 turns caching off.
    empty_cache();
    set_cache_limit(3 * BIG * 4);
    let tensors: Vec<Tensor> = (0..5).map(|_| Tensor::zeros([BIG])).collect();
    drop(tensors);
    assert!(cached_bytes() <= 3 * BIG * 4, "{}", cached_bytes());
    assert!(cached_bytes() >= 2 * BIG * 4, "{}", cached_bytes());
    set_cache_limit(0);
    assert_eq!(cached_bytes(), 0);
    drop(Tensor::zeros([BIG]));
    assert_eq!(cached_bytes(), 0);
    set_cache_limit(1 << 30);
}
