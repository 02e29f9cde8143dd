// Index-based reads on 32-bit elements (f32 / u32 / i32, copied as bits):
//   index_select: out[.., i, ..] = x[.., idx[i], ..]        (torch.index_select, embedding)
//   gather:       out[p] = x[p with p[dim] = idx[p]]          (torch.gather; idx contiguous)
// The view of x is encoded with the *output's* shape and x's strides; `src_len` is the size
// of x along `dim` for bounds checks. An out-of-range (or negative) index writes NaN bits
// (0x7fc00000) rather than reading out of bounds.
// Specialisation: WG (threads), SIGNED (1 when idx holds i32).
// params: [n, dim, src_len, view at 3..17]

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> idx: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

// Reads index `k` as a non-negative value, or returns 0xffffffff for a negative i32.
fn read_index(k: u32) -> u32 {
    let v = idx[k];
    if (SIGNED == 1u && bitcast<i32>(v) < 0) {
        return 0xffffffffu;
    }
    return v;
}

// Buffer index of output element `i`, with the coordinate along `dim` replaced: by idx[that
// coordinate] when `select_mode`, else by idx[i]. Returns 0xffffffff when out of range.
fn source_index(i: u32, select_mode: bool) -> u32 {
    let rank = params[3];
    let dim = params[1];
    let src_len = params[2];
    var rem = i;
    var pos = params[4];
    for (var d = i32(rank) - 1; d >= 0; d = d - 1) {
        let n = params[5u + u32(d)];
        let s = params[11u + u32(d)];
        var c = rem % n;
        rem = rem / n;
        if (u32(d) == dim) {
            if (select_mode) {
                c = read_index(c);
            } else {
                c = read_index(i);
            }
            if (c >= src_len) {
                return 0xffffffffu;
            }
        }
        pos = pos + c * s;
    }
    return pos;
}

@compute @workgroup_size(WG)
fn index_select(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i < params[0]) {
        let p = source_index(i, true);
        if (p == 0xffffffffu) {
            out[i] = 0x7fc00000u;
        } else {
            out[i] = x[p];
        }
    }
}

@compute @workgroup_size(WG)
fn gather(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i < params[0]) {
        let p = source_index(i, false);
        if (p == 0xffffffffu) {
            out[i] = 0x7fc00000u;
        } else {
            out[i] = x[p];
        }
    }
}
