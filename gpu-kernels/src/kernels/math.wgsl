
// ---- shared helper: scalar math (appended to the elementwise families) ----

// x^e following C's pow (and torch.pow) for negative bases with integral exponents.
fn pow_f32(b: f32, e: f32) -> f32 {
    if (e == 0.0) {
        return 1.0;
    }
    if (b == 0.0) {
        if (e > 0.0) {
            let odd = e == round(e) && abs(e % 2.0) == 1.0;
            return select(0.0, b, odd);
        }
        return bitcast<f32>(0x7f800000u);
    }
    let m = pow(abs(b), e);
    if (b > 0.0) {
        return m;
    }
    if (e != round(e)) {
        return bitcast<f32>(0x7fc00000u);
    }
    return select(m, -m, abs(e % 2.0) == 1.0);
}
