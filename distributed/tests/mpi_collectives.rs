//! Collectives and DistributedDataParallel across two real MPI ranks: this binary runs
//! itself under `mpirun --oversubscribe -np 2` and each rank checks what it receives.
//!
//! `harness = false`: outside `mpirun`, `main` launches the job; inside, it is a rank.

use std::process::Stdio;

use kiln_autograd::Var;
use kiln_distributed::{DistributedDataParallel, ProcessGroup, ReduceOp};
use kiln_nn::{Forward, Linear, Module};
use kiln_tensor::{DType, Tensor, manual_seed, tensor};

fn main() {
    if kiln_testkit::mpi::is_rank() {
        rank_main();
        return;
    }
    kiln_testkit::harness::run(&[(
        "two_ranks_agree_on_every_collective_and_on_ddp_gradients",
        launch,
    )]);
}

fn launch() {
    if !cfg!(feature = "mpi") {
        eprintln!("skipping: kiln-distributed built without the `mpi` feature");
        return;
    }
    let me = std::env::current_exe().unwrap();
    let Some(mut cmd) = kiln_testkit::mpi::mpirun(2, &me) else {
        return;
    };
    let out = cmd
        .env("KILN_DIST_TIMEOUT_SECS", "120")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "mpirun failed: {}\n{stdout}\n{stderr}",
        out.status
    );
    for rank in 0..2 {
        assert!(
            stdout.contains(&format!("rank {rank} of 2: ok")),
            "{stdout}\n{stderr}"
        );
    }
}

fn rank_main() {
    let group = ProcessGroup::init().expect("joins the MPI world");
    assert_eq!(group.world_size(), 2);
    let rank = group.rank();
    collectives(group);
    ddp_averages_gradients(group);
    ddp_handles_unused_parameters_and_no_sync(group);
    println!("rank {rank} of 2: ok");
}

/// `values` in `dtype`, as f64s (what a collective's result must equal).
fn expected(values: [f64; 4], dtype: DType) -> Vec<f64> {
    Tensor::from_vec(values.to_vec(), [2, 2])
        .to_dtype(dtype)
        .to_vec::<f64>()
}

/// Every dtype through every collective, with rank-dependent inputs: rank 0 holds
/// [1, 5, 0, 0] and rank 1 [2, 2, 0, 2]. Booleans reduce as or (sum, max) and and (min).
fn collectives(group: &ProcessGroup) {
    let r = group.rank() as f64;
    let mine = Tensor::from_vec(vec![1.0 + r, 5.0 - 3.0 * r, 0.0, 2.0 * r], [2, 2]);
    for dtype in DType::ALL {
        let x = mine.to_dtype(dtype);
        let sum = group.all_reduce(&x, ReduceOp::Sum).unwrap();
        assert_eq!((sum.dtype(), sum.dims()), (dtype, &[2, 2][..]));
        assert_eq!(
            sum.to_vec::<f64>(),
            expected([3.0, 7.0, 0.0, 2.0], dtype),
            "{dtype:?} sum"
        );
        let max = group.all_reduce(&x, ReduceOp::Max).unwrap();
        assert_eq!(
            max.to_vec::<f64>(),
            expected([2.0, 5.0, 0.0, 2.0], dtype),
            "{dtype:?} max"
        );
        let min = group.all_reduce(&x, ReduceOp::Min).unwrap();
        assert_eq!(
            min.to_vec::<f64>(),
            expected([1.0, 2.0, 0.0, 0.0], dtype),
            "{dtype:?} min"
        );
        if dtype.is_float() {
            let mean = group.all_reduce(&x, ReduceOp::Mean).unwrap();
            assert_eq!(mean.to_vec::<f64>(), [1.5, 3.5, 0.0, 1.0], "{dtype:?} mean");
        }
        let from_one = group.broadcast(&x, 1).unwrap();
        assert_eq!(from_one.dtype(), dtype);
        assert_eq!(
            from_one.to_vec::<f64>(),
            expected([2.0, 2.0, 0.0, 2.0], dtype),
            "{dtype:?} broadcast"
        );
    }
    // Gathered pieces keep their own first dimension.
    let rows = group.rank() + 1;
    let piece = Tensor::full([rows, 3], group.rank() as f64);
    let pieces = group.all_gather(&piece).unwrap();
    assert_eq!(pieces.len(), 2);
    assert_eq!(pieces[0].dims(), [1, 3]);
    assert_eq!(pieces[1].dims(), [2, 3]);
    assert_eq!(pieces[1].to_vec::<f32>(), [1.0; 6]);
    group.barrier().unwrap();
}

/// Different initial weights on each rank: DDP starts both from rank 0's, and after a
/// backward on different data both hold the mean of the two local gradients.
fn ddp_averages_gradients(group: &'static ProcessGroup) {
    manual_seed(100 + group.rank() as u64);
    let ddp = DistributedDataParallel::with_bucket_cap(Linear::new(3, 2, true), group, 8).unwrap();
    // An 8-byte cap: the bias (2 floats) and the weight (6) each get a bucket, bias first
    // (reverse registration order, as backward produces them).
    assert_eq!(ddp.reducer().bucket_sizes(), [2, 6]);
    let inputs = |rank: usize| {
        let scale = rank as f32 + 1.0;
        let values: Vec<f32> = (0..6).map(|i| (i as f32 + 1.0) * scale).collect();
        Var::constant(Tensor::from_vec(values, [2, 3]))
    };
    // The expected mean gradient: both ranks' data on a local copy of rank 0's weights.
    let local = Linear::new(3, 2, true);
    for (copy, p) in local.parameters().iter().zip(ddp.parameters()) {
        copy.set_value(p.value().contiguous());
    }
    for rank in 0..2 {
        local
            .forward(&inputs(rank))
            .pow_scalar(2.0)
            .mean()
            .backward();
    }
    ddp.forward(&inputs(group.rank()))
        .pow_scalar(2.0)
        .mean()
        .backward();
    let stats = ddp.synchronize().unwrap();
    assert_eq!(stats.buckets, ddp.reducer().num_buckets());
    for (p, copy) in ddp.parameters().iter().zip(local.parameters()) {
        let got = p.grad().unwrap().to_vec::<f32>();
        let want: Vec<f32> = copy
            .grad()
            .unwrap()
            .to_vec::<f32>()
            .iter()
            .map(|g| g / 2.0)
            .collect();
        for (a, b) in got.iter().zip(&want) {
            assert!(
                (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                "{got:?} vs {want:?}"
            );
        }
    }
}

#[derive(kiln_nn::Module)]
struct ThreeHeads {
    a: Linear,
    b: Linear,
    never: Linear,
}

/// A parameter unused on one rank averages with zero; one unused everywhere keeps no
/// gradient; under `no_sync` gradients stay local and the next backward sends their sum.
fn ddp_handles_unused_parameters_and_no_sync(group: &'static ProcessGroup) {
    manual_seed(7);
    let model = ThreeHeads {
        a: Linear::new(2, 1, false),
        b: Linear::new(2, 1, false),
        never: Linear::new(2, 1, false),
    };
    let ddp = DistributedDataParallel::new(model, group).unwrap();
    let x = Var::constant(tensor![[1.0, 2.0]]);
    let mut loss = ddp.a.forward(&x).sum();
    if group.rank() == 0 {
        loss = loss.add(&ddp.b.forward(&x).sum());
    }
    loss.backward();
    ddp.synchronize().unwrap();
    assert_eq!(ddp.a.weight.grad().unwrap().to_vec::<f32>(), [1.0, 2.0]);
    assert_eq!(ddp.b.weight.grad().unwrap().to_vec::<f32>(), [0.5, 1.0]);
    assert!(ddp.never.weight.grad().is_none());
    ddp.zero_grad();
    // Rank r adds (r+1)·x twice, the first time without communicating.
    let scale = group.rank() as f64 + 1.0;
    {
        let _local = ddp.no_sync();
        ddp.a.forward(&x).sum().mul_scalar(scale).backward();
        ddp.synchronize().unwrap();
        let g = ddp.a.weight.grad().unwrap().to_vec::<f32>();
        assert_eq!(
            g,
            [scale as f32, 2.0 * scale as f32],
            "local only under no_sync"
        );
    }
    ddp.a.forward(&x).sum().mul_scalar(scale).backward();
    ddp.synchronize().unwrap();
    // Mean over ranks of 2·(r+1)·x: (2 + 4) / 2 = 3.
    assert_eq!(ddp.a.weight.grad().unwrap().to_vec::<f32>(), [3.0, 6.0]);
}
