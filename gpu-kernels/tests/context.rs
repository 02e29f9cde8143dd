//! Context, pool, pipeline cache and error paths: no adapter, invalid WGSL, oversize buffers.

mod common;

use common::gpu;
use half::f16;
use kiln_gpu_kernels::{
    DType, GpuContext, GpuError, GpuOptions, MatmulArgs, MatmulOperand, matmul, wgpu,
};

#[test]
fn missing_backend_is_a_typed_error_naming_it() {
    // GL is not compiled into this crate, so no adapter can exist on it.
    let opts = GpuOptions {
        backends: Some(wgpu::Backends::GL),
        ..GpuOptions::default()
    };
    match GpuContext::with_options(&opts) {
        Err(GpuError::NoAdapter {
            tried, compiled, ..
        }) => {
            assert_eq!(tried, vec!["gl".to_string()]);
            assert!(!compiled.contains(&"gl".to_string()), "{compiled:?}");
            let msg = GpuError::NoAdapter {
                tried,
                compiled,
                detail: String::new(),
            }
            .to_string();
            assert!(msg.contains("backends tried: [gl]"), "{msg}");
        }
        other => panic!("expected NoAdapter, got {other:?}"),
    }
    let none = GpuOptions {
        backends: Some(wgpu::Backends::empty()),
        ..GpuOptions::default()
    };
    assert!(matches!(
        GpuContext::with_options(&none),
        Err(GpuError::NoAdapter { .. })
    ));
}

#[test]
fn adapter_selector_that_matches_nothing_is_a_typed_error() {
    if gpu().is_none() {
        return;
    }
    let opts = GpuOptions {
        adapter: Some("no-such-adapter-name".into()),
        ..GpuOptions::from_env()
    };
    match GpuContext::with_options(&opts) {
        Err(GpuError::NoAdapter { detail, .. }) => {
            assert!(detail.contains("no-such-adapter-name"), "{detail}")
        }
        other => panic!("expected NoAdapter, got {other:?}"),
    }
    let by_index = GpuOptions {
        adapter: Some("0".into()),
        ..GpuOptions::from_env()
    };
    assert!(GpuContext::with_options(&by_index).is_ok());
}

#[test]
fn invalid_wgsl_is_an_error_not_a_panic() {
    let Some(ctx) = gpu() else { return };
    let err = ctx
        .compile_wgsl(
            "broken",
            "@compute @workgroup_size(1) fn main() { let x: u32 = 1.5; }",
            "main",
        )
        .unwrap_err();
    match &err {
        GpuError::ShaderCompile { kernel, message } => {
            assert_eq!(kernel, "broken");
            assert!(!message.is_empty());
        }
        other => panic!("expected ShaderCompile, got {other:?}"),
    }
    let err = ctx
        .compile_wgsl("syntax", "this is not wgsl", "main")
        .unwrap_err();
    assert!(matches!(err, GpuError::ShaderCompile { .. }));
    let err = ctx
        .compile_wgsl("entry", "@compute @workgroup_size(1) fn main() {}", "other")
        .unwrap_err();
    assert!(
        matches!(err, GpuError::ShaderCompile { .. }),
        "missing entry point: {err:?}"
    );
    assert!(
        ctx.compile_wgsl("ok", "@compute @workgroup_size(1) fn main() {}", "main")
            .is_ok()
    );
    // the device is still healthy afterwards
    ctx.sync().unwrap();
}

#[test]
fn oversize_buffers_are_typed_errors() {
    let Some(ctx) = gpu() else { return };
    let limit = ctx.max_binding_bytes();
    eprintln!(
        "adapter {:?}: max binding {limit} bytes",
        ctx.adapter_info().name
    );
    let too_many = (limit / 4 + 1) as usize;
    match ctx.alloc(too_many, DType::F32) {
        Err(GpuError::BufferTooLarge {
            requested,
            limit: l,
        }) => {
            assert_eq!(l, limit);
            assert!(requested > limit);
        }
        other => panic!("expected BufferTooLarge, got {other:?}"),
    }
    // A kernel whose output cannot be bound: a 2^16 x 2^16 product of two broadcast scalars.
    let one = ctx.upload(&[1.0f32]).unwrap();
    let mut args = MatmulArgs::new(1 << 16, 1, 1 << 16);
    let scalar = MatmulOperand {
        offset: 0,
        batch_strides: [0, 0],
        row_stride: 0,
        col_stride: 0,
    };
    args.a = scalar;
    args.b = scalar;
    assert!(matches!(
        matmul(ctx, &one, &one, &args),
        Err(GpuError::BufferTooLarge { .. })
    ));
    ctx.sync().unwrap();
}

#[test]
fn pool_reuses_buffers_by_size_class() {
    if gpu().is_none() {
        return;
    }
    // A private context so other tests' traffic does not disturb the counters.
    let ctx2 = GpuContext::with_options(&GpuOptions::from_env()).unwrap();
    let a = ctx2.alloc(1000, DType::F32).unwrap(); // 4000 B -> 4096 B bucket
    assert_eq!(a.raw().size(), 4096);
    let before = ctx2.pool_stats();
    drop(a);
    assert_eq!(ctx2.pool_stats().cached_bytes, 4096);
    let b = ctx2.alloc(1024, DType::F32).unwrap(); // same bucket
    let after = ctx2.pool_stats();
    assert_eq!(after.reused, before.reused + 1);
    assert_eq!(after.created, before.created);
    let c = ctx2.alloc(1025, DType::F32).unwrap(); // next bucket: new buffer
    assert_eq!(c.raw().size(), 8192);
    assert_eq!(ctx2.pool_stats().created, before.created + 1);
    drop((b, c));
    ctx2.clear_pool();
    assert_eq!(ctx2.pool_stats().cached_bytes, 0);
}

#[test]
fn pipelines_are_cached_per_specialisation() {
    if gpu().is_none() {
        return;
    }
    let ctx = GpuContext::with_options(&GpuOptions::from_env()).unwrap();
    let a = ctx.upload(&[1.0f32; 64 * 64]).unwrap();
    let mut args = MatmulArgs::new(64, 64, 64);
    args.algo = kiln_gpu_kernels::MatmulAlgo::Tiled;
    matmul(&ctx, &a, &a, &args).unwrap();
    let n1 = ctx.cached_pipelines();
    matmul(&ctx, &a, &a, &args).unwrap();
    assert_eq!(
        ctx.cached_pipelines(),
        n1,
        "same specialisation reuses the pipeline"
    );
    args.b = MatmulOperand::transposed(64, 64);
    matmul(&ctx, &a, &a, &args).unwrap();
    assert_eq!(
        ctx.cached_pipelines(),
        n1 + 1,
        "a transposed operand is its own specialisation"
    );
}

#[test]
fn f16_matmul_falls_back_to_casts_without_shader_f16() {
    if gpu().is_none() {
        return;
    }
    let opts = GpuOptions {
        enable_f16: false,
        ..GpuOptions::from_env()
    };
    let ctx = GpuContext::with_options(&opts).unwrap();
    assert!(!ctx.has_f16());
    let a: Vec<f16> = (0..7 * 33)
        .map(|i| f16::from_f32((i % 13) as f32 * 0.25 - 1.5))
        .collect();
    let b: Vec<f16> = (0..33 * 5)
        .map(|i| f16::from_f32((i % 7) as f32 * 0.5 - 1.5))
        .collect();
    let c = matmul(
        &ctx,
        &ctx.upload(&a).unwrap(),
        &ctx.upload(&b).unwrap(),
        &MatmulArgs::new(7, 33, 5),
    )
    .unwrap();
    assert_eq!(c.dtype(), DType::F16);
    let got = ctx.to_vec::<f16>(&c).unwrap();
    for i in 0..7 {
        for j in 0..5 {
            let want: f32 = (0..33)
                .map(|k| a[i * 33 + k].to_f32() * b[k * 5 + j].to_f32())
                .sum();
            // exact in f32 (quarter/half steps), then one f16 rounding
            assert_eq!(got[i * 5 + j], f16::from_f32(want), "({i}, {j})");
        }
    }
}

#[test]
fn read_back_checks_the_element_type() {
    let Some(ctx) = gpu() else { return };
    let b = ctx.upload(&[1.0f32, 2.0]).unwrap();
    assert!(matches!(
        ctx.to_vec::<u32>(&b),
        Err(GpuError::DTypeMismatch { .. })
    ));
    let odd = ctx.upload(&[f16::ONE; 3]).unwrap();
    assert_eq!(odd.byte_len(), 8);
    assert_eq!(ctx.to_vec::<f16>(&odd).unwrap(), vec![f16::ONE; 3]);
    let z = ctx.zeros(5, DType::F32).unwrap();
    assert_eq!(ctx.to_vec::<f32>(&z).unwrap(), vec![0.0; 5]);
}
