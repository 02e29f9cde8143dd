//! Casts (exact: bit-equal to the `half` crate's round-to-nearest-even conversions) and dropout
//! (mask bit-equal to the documented hash; keep rate within 5 standard deviations).

mod common;

use common::{Rng, gpu};
use half::{bf16, f16};
use kiln_gpu_kernels::{DType, cast, dropout, dropout_threshold};

/// Values that stress rounding: random, ties, subnormals, overflow, infinities, NaN, signed 0.
fn tricky(rng: &mut Rng) -> Vec<f32> {
    let mut v = rng.vec(129, -70000.0, 70000.0);
    v.extend(rng.vec(129, -1e-4, 1e-4));
    v.extend(rng.vec(33, -1e-7, 1e-7));
    v.extend([
        0.0,
        -0.0,
        1.0,
        65504.0,
        65520.0,
        65519.99,
        1e10,
        -1e10,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
        5.960_464_5e-8,
        2.980_232_2e-8,
        2.98e-8,
        1.0 + 1.0 / 1024.0,
        1.0 + 1.0 / 2048.0,
        1.0 + 3.0 / 2048.0,
        f32::MIN_POSITIVE,
        1e-45,
        3.4e38,
    ]);
    v.extend((0..33).map(|_| f32::from_bits(rng.next_u32())));
    v
}

fn same_bits16(got: &[u16], want: &[u16], what: &str) {
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        let nan =
            |b: u16, exp_mask: u16| (b & exp_mask) == exp_mask && (b & !exp_mask & 0x7fff) != 0;
        let both_nan = if what.starts_with("f16") {
            nan(g, 0x7c00) && nan(w, 0x7c00)
        } else {
            nan(g, 0x7f80) && nan(w, 0x7f80)
        };
        assert!(
            g == w || both_nan,
            "{what}[{i}]: got {g:#06x}, want {w:#06x}"
        );
    }
    assert_eq!(got.len(), want.len());
}

#[test]
fn f32_to_16_bit_and_back_is_bit_exact() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(51);
    for len_cut in [1usize, 7, 33] {
        let mut v = tricky(&mut rng);
        v.truncate(v.len() - len_cut); // odd and even lengths
        let x = ctx.upload(&v).unwrap();
        let h = cast(ctx, &x, DType::F16).unwrap();
        let got: Vec<u16> = ctx
            .to_vec::<f16>(&h)
            .unwrap()
            .iter()
            .map(|h| h.to_bits())
            .collect();
        let want: Vec<u16> = v.iter().map(|&f| f16::from_f32(f).to_bits()).collect();
        same_bits16(&got, &want, "f16 from f32");
        let b = cast(ctx, &x, DType::BF16).unwrap();
        let got: Vec<u16> = ctx
            .to_vec::<bf16>(&b)
            .unwrap()
            .iter()
            .map(|h| h.to_bits())
            .collect();
        let want: Vec<u16> = v.iter().map(|&f| bf16::from_f32(f).to_bits()).collect();
        same_bits16(&got, &want, "bf16 from f32");

        let back: Vec<f32> = ctx
            .to_vec::<f32>(&cast(ctx, &h, DType::F32).unwrap())
            .unwrap();
        for (i, (&g, w)) in back
            .iter()
            .zip(v.iter().map(|&f| f16::from_f32(f).to_f32()))
            .enumerate()
        {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "f16->f32[{i}]: {g} vs {w}"
            );
        }
        let back: Vec<f32> = ctx
            .to_vec::<f32>(&cast(ctx, &b, DType::F32).unwrap())
            .unwrap();
        for (i, (&g, w)) in back
            .iter()
            .zip(v.iter().map(|&f| bf16::from_f32(f).to_f32()))
            .enumerate()
        {
            assert!(
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan()),
                "bf16->f32[{i}]: {g} vs {w}"
            );
        }
        // 16 -> 16 bit, through f32 as the half crate does
        let got: Vec<u16> = ctx
            .to_vec::<bf16>(&cast(ctx, &h, DType::BF16).unwrap())
            .unwrap()
            .iter()
            .map(|h| h.to_bits())
            .collect();
        let want: Vec<u16> = v
            .iter()
            .map(|&f| bf16::from_f32(f16::from_f32(f).to_f32()).to_bits())
            .collect();
        same_bits16(&got, &want, "bf16 from f16");
        let got: Vec<u16> = ctx
            .to_vec::<f16>(&cast(ctx, &b, DType::F16).unwrap())
            .unwrap()
            .iter()
            .map(|h| h.to_bits())
            .collect();
        let want: Vec<u16> = v
            .iter()
            .map(|&f| f16::from_f32(bf16::from_f32(f).to_f32()).to_bits())
            .collect();
        same_bits16(&got, &want, "f16 from bf16");
    }
    let u = ctx.upload(&[1u32]).unwrap();
    assert!(cast(ctx, &u, DType::F32).is_err());
}

/// CPU copy of the kernel's hash (see dropout.wgsl).
fn pcg_hash(v: u32) -> u32 {
    let state = v.wrapping_mul(747796405).wrapping_add(2891336453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277803737);
    (word >> 22) ^ word
}

fn keep(i: u32, seed: u64, p: f32) -> bool {
    let key = pcg_hash((seed as u32) ^ pcg_hash((seed >> 32) as u32));
    pcg_hash(pcg_hash(i ^ key).wrapping_add(key)) >= dropout_threshold(p)
}

#[test]
fn dropout_mask_scale_rate_and_determinism() {
    let Some(ctx) = gpu() else { return };
    let mut rng = Rng::new(53);
    let n = 129 * 129;
    let x = rng.vec(n, 0.5, 1.5);
    let gx = ctx.upload(&x).unwrap();
    for (p, seed) in [(0.1f32, 7u64), (0.5, 0xdead_beef_0000_0001), (0.9, 42)] {
        let y = ctx
            .to_vec::<f32>(&dropout(ctx, &gx, p, seed).unwrap())
            .unwrap();
        let scale = 1.0 / (1.0 - p);
        let mut kept = 0usize;
        for i in 0..n {
            if keep(i as u32, seed, p) {
                kept += 1;
                assert_eq!(y[i], x[i] * scale, "kept element {i}");
            } else {
                assert_eq!(y[i], 0.0, "dropped element {i}");
            }
        }
        let expect = n as f64 * (1.0 - f64::from(p));
        let sd = (n as f64 * f64::from(p) * (1.0 - f64::from(p))).sqrt();
        assert!(
            (kept as f64 - expect).abs() < 5.0 * sd,
            "p={p}: kept {kept}, expected {expect:.0} ± {sd:.0}"
        );
        let again = ctx
            .to_vec::<f32>(&dropout(ctx, &gx, p, seed).unwrap())
            .unwrap();
        assert_eq!(y, again, "same seed, same mask");
    }
    let a = ctx
        .to_vec::<f32>(&dropout(ctx, &gx, 0.5, 1).unwrap())
        .unwrap();
    let b = ctx
        .to_vec::<f32>(&dropout(ctx, &gx, 0.5, 2).unwrap())
        .unwrap();
    assert_ne!(a, b, "different seeds, different masks");
    assert_eq!(
        ctx.to_vec::<f32>(&dropout(ctx, &gx, 0.0, 3).unwrap())
            .unwrap(),
        x
    );
    assert!(
        ctx.to_vec::<f32>(&dropout(ctx, &gx, 1.0, 3).unwrap())
            .unwrap()
            .iter()
            .all(|&v| v == 0.0)
    );
    assert!(dropout(ctx, &gx, 1.5, 3).is_err());
}
