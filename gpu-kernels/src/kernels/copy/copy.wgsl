// Strided copy: materialises any strided view (transpose, permute, narrow, expand) as a
// contiguous buffer. Works on bits, so one kernel serves every 32-bit type (`copy32`) and
// one every packed 16-bit type (`copy16`, one invocation per output word).
// Specialisation: WG (threads).
// params: [n, view of x at 1..15]

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

@compute @workgroup_size(WG)
fn copy32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i < params[0]) {
        y[i] = x[strided_index(1u, i)];
    }
}

fn half_at(i: u32) -> u32 {
    return (x[i / 2u] >> ((i % 2u) * 16u)) & 0xffffu;
}

@compute @workgroup_size(WG)
fn copy16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let w = (wid.y * nwg.x + wid.x) * WG + lid;
    let n = params[0];
    let i = 2u * w;
    if (i < n) {
        var word = half_at(strided_index(1u, i));
        if (i + 1u < n) {
            word = word | (half_at(strided_index(1u, i + 1u)) << 16u);
        }
        y[w] = word;
    }
}

// copy_into32: writes element i of the view of x at 1..15 to element i of the view of y at
// 15..29 (both row-major over the same shape), leaving the rest of y untouched; this is how a
// concatenation places each input in its slice of the output.
// params: [n, view of x at 1..15, view of y at 15..29]
@compute @workgroup_size(WG)
fn copy_into32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i < params[0]) {
        y[strided_index(15u, i)] = x[strided_index(1u, i)];
    }
}

// triangle32: the upper (params[4] == 1) or lower triangle of the last two dims of the view of
// x at 5..19, zero bits elsewhere, written contiguously. Element (r, c) is kept when
// c - r >= diagonal (upper) or c - r <= diagonal (lower); diagonal is i32 bits, pre-clamped.
// params: [n, rows, cols, diagonal, upper, view of x at 5..19]
@compute @workgroup_size(WG)
fn triangle32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let cols = params[2];
    let c = i32(i % cols);
    let r = i32((i / cols) % params[1]);
    let diagonal = bitcast<i32>(params[3]);
    var keep: bool;
    if (params[4] == 1u) {
        keep = c - r >= diagonal;
    } else {
        keep = c - r <= diagonal;
    }
    if (keep) {
        y[i] = x[strided_index(5u, i)];
    } else {
        y[i] = 0u;
    }
}
