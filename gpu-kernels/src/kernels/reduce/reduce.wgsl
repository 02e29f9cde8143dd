// Reductions over one dimension of a strided f32 view: one workgroup per output element, each
// thread folding a strided slice of the reduced dimension, then a tree in workgroup memory.
// Specialisation: WG (threads, a power of two), OP (0 sum, 1 mean, 2 max, 3 min, 4 argmax,
// 5 argmin, 6 prod). Max/min propagate NaN; argmax/argmin treat NaN as the extreme and return the
// first index among equals (torch semantics). `out` is u32: f32 bits or indices.
// params: [n_out, len (reduced size), stride (of the reduced dim), view of the other dims at 3..17]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

var<workgroup> vals: array<f32, WG>;
var<workgroup> idxs: array<u32, WG>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

// Whether (v, i) should replace (w, j) as the running extreme.
fn better(v: f32, i: u32, w: f32, j: u32) -> bool {
    if (is_nan(w)) {
        return is_nan(v) && i < j;
    }
    if (is_nan(v)) {
        return true;
    }
    var strictly: bool;
    if (OP == 2u || OP == 4u) {
        strictly = v > w;
    } else {
        strictly = v < w;
    }
    return strictly || (v == w && i < j);
}

fn combine(v: f32, i: u32, w: f32, j: u32) -> vec2<u32> {
    if (OP <= 1u) {
        return vec2<u32>(bitcast<u32>(v + w), 0u);
    }
    if (OP == 6u) {
        return vec2<u32>(bitcast<u32>(v * w), 0u);
    }
    if (better(v, i, w, j)) {
        return vec2<u32>(bitcast<u32>(v), i);
    }
    return vec2<u32>(bitcast<u32>(w), j);
}

@compute @workgroup_size(WG)
fn reduce(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let o = wid.y * nwg.x + wid.x;
    let n_out = params[0];
    let len = params[1];
    let stride = params[2];
    // Every invocation of a workgroup takes the same path (o is uniform), so barriers are safe.
    var base = 0u;
    if (o < n_out) {
        base = strided_index(3u, o);
    }
    var acc_v: f32;
    var acc_i = 0xffffffffu;
    if (OP <= 1u) {
        acc_v = 0.0;
    } else if (OP == 6u) {
        acc_v = 1.0;
    } else if (OP == 2u || OP == 4u) {
        acc_v = bitcast<f32>(0xff800000u);
    } else {
        acc_v = bitcast<f32>(0x7f800000u);
    }
    if (o < n_out) {
        for (var j = tid; j < len; j = j + WG) {
            let r = combine(x[base + j * stride], j, acc_v, acc_i);
            acc_v = bitcast<f32>(r.x);
            acc_i = r.y;
        }
    }
    vals[tid] = acc_v;
    idxs[tid] = acc_i;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s = s >> 1u) {
        if (tid < s) {
            let r = combine(vals[tid + s], idxs[tid + s], vals[tid], idxs[tid]);
            vals[tid] = bitcast<f32>(r.x);
            idxs[tid] = r.y;
        }
        workgroupBarrier();
    }
    if (tid == 0u && o < n_out) {
        let v = vals[0];
        if (OP == 0u || OP == 2u || OP == 3u || OP == 6u) {
            out[o] = bitcast<u32>(v);
        } else if (OP == 1u) {
            out[o] = bitcast<u32>(v / f32(len));
        } else {
            out[o] = idxs[0];
        }
    }
}
