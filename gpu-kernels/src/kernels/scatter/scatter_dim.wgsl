// scatter along a dimension (torch.Tensor.scatter / scatter_add, out of place): for every
// element i of the index view, out[pos(i) with coordinate `dim` replaced by idx[i]] receives
// src[i], where `out` is a contiguous copy of the destination. MODE 0 stores (with a repeated
// target, which store lands is unspecified, as in PyTorch); the others combine with the old
// value through a compare-and-swap loop so repeated targets accumulate: 1 adds f32, 2 adds
// 32-bit integers with wrap-around, 3 ORs (bool), 4 adds bytes wrapping at 256 (uint8).
// Out-of-range or negative indices (idx holds i32) are skipped; the caller validates them.
// Specialisation: WG (threads), MODE.
// params: [n (index elements), dim_size, dim_stride (of out), view of idx at 3..17,
//          view of src at 17..31, view of out with stride 0 along dim at 31..45]

@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

fn combine(old: u32, v: u32) -> u32 {
    if (MODE == 1u) {
        return bitcast<u32>(bitcast<f32>(old) + bitcast<f32>(v));
    }
    if (MODE == 2u) {
        return old + v;
    }
    if (MODE == 3u) {
        return old | v;
    }
    return (old + v) & 0xffu;
}

@compute @workgroup_size(WG)
fn scatter_dim(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let t = idx[strided_index(3u, i)];
    if (bitcast<i32>(t) < 0 || t >= params[1]) {
        return;
    }
    let p = strided_index(31u, i) + t * params[2];
    let v = src[strided_index(17u, i)];
    if (MODE == 0u) {
        atomicStore(&out[p], v);
        return;
    }
    var old = atomicLoad(&out[p]);
    loop {
        let r = atomicCompareExchangeWeak(&out[p], old, combine(old, v));
        if (r.exchanged) {
            break;
        }
        old = r.old_value;
    }
}
