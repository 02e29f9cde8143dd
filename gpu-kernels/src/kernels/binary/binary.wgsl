// Elementwise binary f32 operations out = a (op) b with broadcasting through strides: both
// views have the output's shape (stride 0 along broadcast dimensions). `out` is contiguous and
// declared as u32 so one module serves arithmetic (f32 bits) and comparisons (0 / 1).
// Specialisation: WG (threads), OP (operation code, see `BinaryOp::code`).
// params: [n, view of a at 1..15, view of b at 15..29]

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn arith(x: f32, y: f32) -> f32 {
    switch OP {
        case 0u: { return x + y; }
        case 1u: { return x - y; }
        case 2u: { return x * y; }
        case 3u: { return x / y; }
        case 4u: { return pow_f32(x, y); }
        case 5u: {
            if (is_nan(x) || is_nan(y)) { return bitcast<f32>(0x7fc00000u); }
            return max(x, y);
        }
        case 6u: {
            if (is_nan(x) || is_nan(y)) { return bitcast<f32>(0x7fc00000u); }
            return min(x, y);
        }
        case 13u: {
            // Python-style remainder: the result takes the divisor's sign (torch.remainder).
            let r = x - floor(x / y) * y;
            return r;
        }
        default: { return x; }
    }
}

fn compare(x: f32, y: f32) -> bool {
    switch OP {
        case 7u: { return x == y; }
        case 8u: { return x != y; }
        case 9u: { return x < y; }
        case 10u: { return x <= y; }
        case 11u: { return x > y; }
        default: { return x >= y; }
    }
}

@compute @workgroup_size(WG)
fn binary(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let x = a[strided_index(1u, i)];
    let y = b[strided_index(15u, i)];
    if (OP >= 7u && OP <= 12u) {
        out[i] = select(0u, 1u, compare(x, y));
    } else {
        out[i] = bitcast<u32>(arith(x, y));
    }
}
