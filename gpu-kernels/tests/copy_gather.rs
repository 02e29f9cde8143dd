//! Strided copy, index_select / embedding, gather and index_add against CPU references. All
//! exact (index_add sums multiples of 1/8, so every addition order gives the same bits).

mod common;

use common::{Rng, at, gather_view, gpu, test_views};
use half::{bf16, f16};
use kiln_gpu_kernels::{
    IndexAddShape, StridedLayout, contiguous, embedding, gather, index_add, index_select,
};

#[test]
fn contiguous_materialises_every_view_for_32_and_16_bit_types() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(41);
    for (len, layout) in test_views() {
        let data = rng.vec(len, -10.0, 10.0);
        let want = gather_view(&data, &layout);
        let got = ctx
            .to_vec::<f32>(&contiguous(ctx, &ctx.upload(&data).unwrap(), &layout).unwrap())
            .unwrap();
        assert_eq!(got, want, "f32 {layout:?}");
        let ints: Vec<u32> = (0..len as u32).collect();
        let got = ctx
            .to_vec::<u32>(&contiguous(ctx, &ctx.upload(&ints).unwrap(), &layout).unwrap())
            .unwrap();
        let want: Vec<u32> =
            gather_view(&ints.iter().map(|&v| v as f32).collect::<Vec<_>>(), &layout)
                .iter()
                .map(|&v| v as u32)
                .collect();
        assert_eq!(got, want, "u32 {layout:?}");
        let halves: Vec<f16> = data.iter().map(|&v| f16::from_f32(v)).collect();
        let got = ctx
            .to_vec::<f16>(&contiguous(ctx, &ctx.upload(&halves).unwrap(), &layout).unwrap())
            .unwrap();
        let want: Vec<f16> = gather_view(&data, &layout)
            .iter()
            .map(|&v| f16::from_f32(v))
            .collect();
        assert_eq!(got, want, "f16 {layout:?}");
        let bh: Vec<bf16> = data.iter().map(|&v| bf16::from_f32(v)).collect();
        let got = ctx
            .to_vec::<bf16>(&contiguous(ctx, &ctx.upload(&bh).unwrap(), &layout).unwrap())
            .unwrap();
        let want: Vec<bf16> = gather_view(&data, &layout)
            .iter()
            .map(|&v| bf16::from_f32(v))
            .collect();
        assert_eq!(got, want, "bf16 {layout:?}");
    }
}

#[test]
fn index_select_on_every_dim_with_u32_and_i32_indices() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(43);
    for (len, layout) in test_views() {
        let data = rng.vec(len, -1.0, 1.0);
        let x = ctx.upload(&data).unwrap();
        for dim in 0..layout.shape.len() {
            let n = layout.shape[dim] as u32;
            for k in [1usize, 7, 33] {
                let idx: Vec<u32> = (0..k).map(|_| rng.below(n)).collect();
                let mut out_view = layout.clone();
                out_view.shape[dim] = k;
                // reference: output element p reads view coordinate p with p[dim] -> idx[p[dim]]
                let want: Vec<f32> = (0..out_view.numel())
                    .map(|p| {
                        let mut rem = p;
                        let mut pos = layout.offset;
                        for d in (0..layout.shape.len()).rev() {
                            let mut c = rem % out_view.shape[d];
                            rem /= out_view.shape[d];
                            if d == dim {
                                c = idx[c] as usize;
                            }
                            pos += c * layout.strides[d];
                        }
                        data[pos]
                    })
                    .collect();
                let got = ctx
                    .to_vec::<f32>(
                        &index_select(ctx, &x, &layout, dim, &ctx.upload(&idx).unwrap()).unwrap(),
                    )
                    .unwrap();
                assert_eq!(got, want, "index_select dim {dim} of {layout:?}");
                let signed: Vec<i32> = idx.iter().map(|&v| v as i32).collect();
                let got = ctx
                    .to_vec::<f32>(
                        &index_select(ctx, &x, &layout, dim, &ctx.upload(&signed).unwrap())
                            .unwrap(),
                    )
                    .unwrap();
                assert_eq!(got, want, "index_select i32 dim {dim} of {layout:?}");
            }
        }
    }
}

#[test]
fn embedding_rows_and_out_of_range_ids() {
    let Some(ctx) = gpu() else { return };
    let (vocab, dim) = (129, 33);
    let weight: Vec<f32> = (0..vocab * dim).map(|v| v as f32).collect();
    let ids: Vec<i32> = vec![0, 128, 5, 5, -1, 129];
    let w = ctx.upload(&weight).unwrap();
    let got = ctx
        .to_vec::<f32>(&embedding(ctx, &w, vocab, dim, &ctx.upload(&ids).unwrap()).unwrap())
        .unwrap();
    for (r, &id) in ids.iter().enumerate() {
        let row = &got[r * dim..(r + 1) * dim];
        if (0..vocab as i32).contains(&id) {
            assert_eq!(row, &weight[id as usize * dim..(id as usize + 1) * dim]);
        } else {
            assert!(row.iter().all(|v| v.is_nan()), "id {id} must give NaN");
        }
    }
}

#[test]
fn gather_matches_torch_semantics() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(47);
    for (len, layout) in test_views() {
        let data = rng.vec(len, -1.0, 1.0);
        let x = ctx.upload(&data).unwrap();
        for dim in 0..layout.shape.len() {
            // index shape: at most the view's size in other dims, anything along dim
            let ishape: Vec<usize> = layout
                .shape
                .iter()
                .enumerate()
                .map(|(d, &n)| if d == dim { 5 } else { n.div_ceil(2) })
                .collect();
            let ilen: usize = ishape.iter().product();
            let idx: Vec<u32> = (0..ilen)
                .map(|_| rng.below(layout.shape[dim] as u32))
                .collect();
            let want: Vec<f32> = (0..ilen)
                .map(|p| {
                    let mut strides = layout.strides.clone();
                    strides[dim] = 0;
                    let base = at(
                        &(0..len).map(|i| i as f32).collect::<Vec<_>>(),
                        &ishape,
                        &strides,
                        layout.offset,
                        p,
                    ) as usize;
                    data[base + idx[p] as usize * layout.strides[dim]]
                })
                .collect();
            let got = ctx
                .to_vec::<f32>(
                    &gather(ctx, &x, &layout, dim, &ctx.upload(&idx).unwrap(), &ishape).unwrap(),
                )
                .unwrap();
            assert_eq!(got, want, "gather dim {dim} of {layout:?}");
        }
    }
}

#[test]
fn gather_rejects_oversized_index_shapes() {
    let Some(ctx) = gpu() else { return };
    let x = ctx.upload(&[0.0f32; 6]).unwrap();
    let idx = ctx.upload(&[0u32; 8]).unwrap();
    let l = StridedLayout::contiguous(&[2, 3]);
    assert!(gather(ctx, &x, &l, 1, &idx, &[4, 2]).is_err());
    let f = ctx.upload(&[0.0f32; 2]).unwrap();
    assert!(
        index_select(ctx, &x, &l, 0, &f).is_err(),
        "f32 indices are rejected"
    );
}

#[test]
fn index_add_accumulates_repeated_indices() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(49);
    for &(outer, dst_dim, inner, k) in &[
        (1, 129, 33, 129),
        (7, 5, 1, 33),
        (3, 1, 7, 7),
        (1, 7, 129, 1),
    ] {
        let dst: Vec<f32> = (0..outer * dst_dim * inner)
            .map(|_| rng.below(16) as f32 / 8.0)
            .collect();
        let src: Vec<f32> = (0..outer * k * inner)
            .map(|_| rng.below(16) as f32 / 8.0 - 1.0)
            .collect();
        // repeated indices (k may exceed dst_dim) plus one negative index that must be skipped
        let mut idx: Vec<i32> = (0..k).map(|_| rng.below(dst_dim as u32) as i32).collect();
        if k > 1 {
            idx[k - 1] = -1;
        }
        let mut want = dst.clone();
        for o in 0..outer {
            for (r, &t) in idx.iter().enumerate() {
                if t < 0 {
                    continue;
                }
                for c in 0..inner {
                    want[(o * dst_dim + t as usize) * inner + c] += src[(o * k + r) * inner + c];
                }
            }
        }
        let shape = IndexAddShape {
            outer,
            dst_dim,
            inner,
        };
        let out = index_add(
            ctx,
            &ctx.upload(&dst).unwrap(),
            shape,
            &ctx.upload(&idx).unwrap(),
            &ctx.upload(&src).unwrap(),
        )
        .unwrap();
        assert_eq!(
            ctx.to_vec::<f32>(&out).unwrap(),
            want,
            "index_add {shape:?} k={k}"
        );
    }
    let d = ctx.upload(&[0.0f32; 4]).unwrap();
    let i = ctx.upload(&[0u32]).unwrap();
    let bad = IndexAddShape {
        outer: 1,
        dst_dim: 3,
        inner: 1,
    };
    assert!(
        index_add(ctx, &d, bad, &i, &d).is_err(),
        "dst length must match the shape"
    );
}
