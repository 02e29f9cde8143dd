// Elementwise f32 functions y = f(x) over a strided view of x; y is contiguous.
// Specialisation: WG (threads), OP (function code, see `UnaryOp::code`), CONTIG (1 when x is
// contiguous from its offset, skipping the index arithmetic).
// params: [n, p0 (f32 bits), p1 (f32 bits), view of x at 3..17]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

// Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
fn erf_approx(v: f32) -> f32 {
    let a = abs(v);
    let t = 1.0 / (1.0 + 0.3275911 * a);
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    let r = 1.0 - poly * exp(-a * a);
    return select(r, -r, v < 0.0);
}

// tanh that stays finite for large |v| on every driver.
fn tanh_safe(v: f32) -> f32 {
    return tanh(clamp(v, -15.0, 15.0));
}

fn sigmoid(v: f32) -> f32 {
    if (v >= 0.0) {
        return 1.0 / (1.0 + exp(-v));
    }
    let e = exp(v);
    return e / (1.0 + e);
}

fn softplus(v: f32) -> f32 {
    // log(1 + e^v) = max(v, 0) + log1p(e^-|v|)
    return max(v, 0.0) + log1p_approx(exp(-abs(v)));
}

fn log1p_approx(v: f32) -> f32 {
    // Accurate log(1 + v) for small v: log(u) * v / (u - 1) with u = 1 + v (Goldberg's trick).
    let u = 1.0 + v;
    if (u == 1.0) {
        return v;
    }
    return log(u) * v / (u - 1.0);
}

fn expm1_approx(v: f32) -> f32 {
    // Kahan's trick: (e^v - 1) computed as (u - 1) * v / log(u) with u = e^v.
    let u = exp(v);
    if (u == 1.0) {
        return v;
    }
    let um1 = u - 1.0;
    if (um1 == -1.0) {
        return -1.0;
    }
    if (abs(v) > 1.0) {
        return um1;
    }
    return um1 * v / log(u);
}

fn apply(v: f32, p0: f32, p1: f32) -> f32 {
    switch OP {
        case 0u: { return -v; }
        case 1u: { return abs(v); }
        case 2u: { return exp(v); }
        case 3u: { return log(v); }
        case 4u: { return sqrt(v); }
        case 5u: { return inverseSqrt(v); }
        case 6u: { return sin(v); }
        case 7u: { return cos(v); }
        case 8u: { return tanh_safe(v); }
        case 9u: { return sigmoid(v); }
        case 10u: { return max(v, 0.0); }
        case 11u: { return 0.5 * v * (1.0 + erf_approx(v * 0.70710678118654752)); }
        case 12u: {
            let inner = 0.79788456080286536 * (v + 0.044715 * v * v * v);
            return 0.5 * v * (1.0 + tanh_safe(inner));
        }
        case 13u: { return v * sigmoid(v); }
        case 14u: { return v * v; }
        case 15u: { return 1.0 / v; }
        case 16u: { return floor(v); }
        case 17u: { return ceil(v); }
        case 18u: { return round(v); }
        case 19u: { return sign(v); }
        case 20u: { return log1p_approx(v); }
        case 21u: { return expm1_approx(v); }
        case 22u: { return softplus(v); }
        case 23u: { return erf_approx(v); }
        case 24u: { return select(v * p0, v, v >= 0.0); }
        case 25u: { return select(p0 * expm1_approx(v), v, v > 0.0); }
        case 26u: { return v + p0; }
        case 27u: { return v * p0; }
        case 28u: { return pow_f32(v, p0); }
        case 29u: { return clamp(v, p0, p1); }
        default: { return v; }
    }
}

@compute @workgroup_size(WG)
fn unary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    var src: u32;
    if (CONTIG == 1u) {
        src = params[4u] + i;
    } else {
        src = strided_index(3u, i);
    }
    y[i] = apply(x[src], bitcast<f32>(params[1]), bitcast<f32>(params[2]));
}
