// Softmax / log-softmax over the last dimension of a [rows, cols] f32 matrix whose rows start
// at offset + r * row_stride (contiguous within a row); the output is contiguous.
// One workgroup per row; each thread keeps an online (max, sum of exp) pair over a strided
// slice of the row (so rows of any length are handled by looping), the pairs are merged in
// workgroup memory, then the row is written in a second sweep. Numerically stable: every
// exponent is taken relative to the running maximum.
// Specialisation: WG (threads, power of two), LOG (1 for log_softmax).
// params: [rows, cols, offset, row_stride]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

var<workgroup> red_m: array<f32, WG>;
var<workgroup> red_s: array<f32, WG>;
var<workgroup> red_nan: array<u32, WG>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Merges (m1, s1) and (m2, s2), each a max and a sum of exp(v - max); a max of -inf has a
// sum of 0.
fn merge(m1: f32, s1: f32, m2: f32, s2: f32) -> vec2<f32> {
    let m = max(m1, m2);
    var s = 0.0;
    if (s1 > 0.0) {
        s = s + s1 * exp(m1 - m);
    }
    if (s2 > 0.0) {
        s = s + s2 * exp(m2 - m);
    }
    return vec2<f32>(m, s);
}

@compute @workgroup_size(WG)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let row = wid.y * nwg.x + wid.x;
    let rows = params[0];
    let cols = params[1];
    if (row >= rows) {
        return;
    }
    let base = params[2] + row * params[3];
    let out_base = row * cols;
    let neg_inf = bitcast<f32>(0xff800000u);
    var m = neg_inf;
    var s = 0.0;
    var nan = 0u;
    for (var j = tid; j < cols; j = j + WG) {
        let v = x[base + j];
        if (is_nan(v)) {
            nan = 1u;
        } else if (v > m) {
            s = s * exp(m - v) + 1.0;
            m = v;
        } else if (v != neg_inf) {
            s = s + exp(v - m);
        }
    }
    red_m[tid] = m;
    red_s[tid] = s;
    red_nan[tid] = nan;
    workgroupBarrier();
    for (var k = WG / 2u; k > 0u; k = k >> 1u) {
        if (tid < k) {
            let r = merge(red_m[tid], red_s[tid], red_m[tid + k], red_s[tid + k]);
            red_m[tid] = r.x;
            red_s[tid] = r.y;
            red_nan[tid] = red_nan[tid] | red_nan[tid + k];
        }
        workgroupBarrier();
    }
    let row_max = red_m[0];
    var row_sum = red_s[0];
    if (red_nan[0] != 0u || row_sum == 0.0) {
        // A NaN anywhere, or no finite entry, makes the whole row NaN (as in PyTorch).
        row_sum = bitcast<f32>(0x7fc00000u);
    }
    if (LOG == 1u) {
        let lse = row_max + log(row_sum);
        for (var j = tid; j < cols; j = j + WG) {
            y[out_base + j] = x[base + j] - lse;
        }
    } else {
        let inv = 1.0 / row_sum;
        for (var j = tid; j < cols; j = j + WG) {
            y[out_base + j] = exp(x[base + j] - row_max) * inv;
        }
    }
}
