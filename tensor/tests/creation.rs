//! Creation ops: literals, constants, ranges, random numbers, dtype casts.

use std::sync::Mutex;

use kiln_tensor::{DType, Generator, Tensor, manual_seed, tensor};

/// The tests of this binary run on parallel threads. Those that draw from the global generator
/// hold this lock, so that one test's draws cannot land between another's `manual_seed` and
/// its draws.
static GLOBAL_GENERATOR: Mutex<()> = Mutex::new(());

#[test]
fn literal_macro_infers_pytorch_dtypes() {
    let a = tensor![[1, 1], [1, 0]];
    assert_eq!(a.dims(), &[2, 2]);
    assert_eq!(a.dtype(), DType::I64);
    assert_eq!(a.to_vec::<i64>(), vec![1, 1, 1, 0]);
    let f = tensor![[1.5, 1.1]];
    assert_eq!(f.dtype(), DType::F32);
    assert_eq!(f.dims(), &[1, 2]);
    let b = tensor![true, false];
    assert_eq!(b.dtype(), DType::Bool);
}

#[test]
fn constants_and_like() {
    let z = Tensor::zeros([2, 3]);
    assert_eq!(z.dtype(), DType::F32);
    assert_eq!(z.to_vec::<f32>(), vec![0.0; 6]);
    let o = Tensor::ones_with([4], DType::I64, &kiln_tensor::Device::Cpu);
    assert_eq!(o.to_vec::<i64>(), vec![1; 4]);
    let f = o.full_like(7.0);
    assert_eq!((f.dtype(), f.to_vec::<i64>()), (DType::I64, vec![7; 4]));
    assert_eq!(Tensor::scalar(3.5f32).dim(), 0);
    assert_eq!(Tensor::scalar(3.5f32).item::<f32>(), 3.5);
}

#[test]
fn arange_matches_pytorch() {
    // torch.arange(5) -> tensor([0, 1, 2, 3, 4]); torch.arange(0, 1, 0.3) has 4 elements.
    assert_eq!(
        Tensor::arange(0i64, 5, 1).to_vec::<i64>(),
        vec![0, 1, 2, 3, 4]
    );
    let f = Tensor::arange(0f32, 1.0, 0.3);
    assert_eq!(f.numel(), 4);
    assert!((f.to_vec::<f32>()[3] - 0.9).abs() < 1e-6);
    assert_eq!(Tensor::arange(5i64, 0, -2).to_vec::<i64>(), vec![5, 3, 1]);
}

#[test]
fn linspace_ends_are_exact() {
    // torch.linspace(-1, 1, 5) -> tensor([-1.0000, -0.5000, 0.0000, 0.5000, 1.0000])
    assert_eq!(
        Tensor::linspace(-1.0, 1.0, 5).to_vec::<f32>(),
        vec![-1.0, -0.5, 0.0, 0.5, 1.0]
    );
    let l = Tensor::linspace(0.0, 0.3, 7).to_vec::<f32>();
    assert_eq!(l[6], 0.3);
}

#[test]
fn eye_is_identity() {
    assert_eq!(
        Tensor::eye(3).to_vec::<f32>(),
        vec![1., 0., 0., 0., 1., 0., 0., 0., 1.]
    );
}

#[test]
fn manual_seed_makes_random_ops_repeatable() {
    let _serial = GLOBAL_GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    manual_seed(7);
    let a = Tensor::rand([4, 28, 28]);
    let n = Tensor::randn([1000]);
    manual_seed(7);
    let b = Tensor::rand([4, 28, 28]);
    let m = Tensor::randn([1000]);
    assert_eq!(a.to_vec::<f32>(), b.to_vec::<f32>());
    assert_eq!(n.to_vec::<f32>(), m.to_vec::<f32>());
    let v = a.to_vec::<f32>();
    assert!(v.iter().all(|&x| (0.0..1.0).contains(&x)));
    let mean = v.iter().sum::<f32>() / v.len() as f32;
    assert!((mean - 0.5).abs() < 0.02, "uniform mean {mean}");
    let nv = n.to_vec::<f64>();
    let nmean = nv.iter().sum::<f64>() / nv.len() as f64;
    let nvar = nv.iter().map(|x| (x - nmean).powi(2)).sum::<f64>() / nv.len() as f64;
    assert!(
        nmean.abs() < 0.1 && (nvar - 1.0).abs() < 0.15,
        "normal mean {nmean} var {nvar}"
    );
}

#[test]
fn randint_and_bernoulli_stay_in_range() {
    let _serial = GLOBAL_GENERATOR.lock().unwrap_or_else(|e| e.into_inner());
    let r = Tensor::randint(3, 7, [500]);
    assert_eq!(r.dtype(), DType::I64);
    let v = r.to_vec::<i64>();
    assert!(v.iter().all(|x| (3..7).contains(x)));
    assert!(
        (3..7).all(|k| v.contains(&k)),
        "every value in range appears"
    );
    let mut g = Generator::new(1);
    let p = Tensor::full([2000], 0.25);
    let draws = p.bernoulli_from(&mut g).to_vec::<f32>();
    assert!(draws.iter().all(|&x| x == 0.0 || x == 1.0));
    let rate = draws.iter().sum::<f32>() / 2000.0;
    assert!((rate - 0.25).abs() < 0.04, "bernoulli rate {rate}");
}

#[test]
fn to_dtype_follows_pytorch_conversions() {
    let f = tensor![-1.7, 0.0, 2.9];
    assert_eq!(f.to_dtype(DType::I64).to_vec::<i64>(), vec![-1, 0, 2]);
    assert_eq!(
        f.to_dtype(DType::Bool).to_vec::<bool>(),
        vec![true, false, true]
    );
    let h = f.to_dtype(DType::F16);
    assert_eq!(h.dtype(), DType::F16);
    assert_eq!(
        h.to_dtype(DType::BF16).to_dtype(DType::F32).to_vec::<f32>(),
        vec![-1.703125, 0.0, 2.90625]
    );
}

#[test]
#[should_panic(expected = "item: a Tensor with 3 elements cannot be converted to a scalar")]
fn item_of_many_elements_panics() {
    tensor![1, 2, 3].item::<i64>();
}

#[test]
#[should_panic(expected = "from_vec: 5 elements cannot have shape [2, 3]")]
fn from_vec_with_wrong_count_panics() {
    Tensor::from_vec(vec![0f32; 5], [2, 3]);
}
