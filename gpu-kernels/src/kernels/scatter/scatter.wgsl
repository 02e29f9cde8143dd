// index_add: out[o, idx[r], c] += src[o, r, c] for a contiguous destination [outer, dst_dim,
// inner] and source [outer, n_idx, inner] (torch.Tensor.index_add_, the backward pass of
// index_select / embedding). Repeated indices accumulate through a compare-and-swap loop on
// the f32 bits, so the order of the additions (and the last bits of a sum) may vary between
// runs, as with PyTorch's CUDA kernel. Out-of-range or negative indices are skipped.
// Specialisation: WG (threads), SIGNED (1 when idx holds i32).
// params: [n (source elements), inner, n_idx, dst_dim]

@group(0) @binding(0) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read> idx: array<u32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

@compute @workgroup_size(WG)
fn index_add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let inner = params[1];
    let n_idx = params[2];
    let dst_dim = params[3];
    let o = i / (n_idx * inner);
    let r = (i / inner) % n_idx;
    let c = i % inner;
    let t = idx[r];
    if ((SIGNED == 1u && bitcast<i32>(t) < 0) || t >= dst_dim) {
        return;
    }
    let v = src[i];
    let p = (o * dst_dim + t) * inner + c;
    var old = atomicLoad(&out[p]);
    loop {
        let r = atomicCompareExchangeWeak(&out[p], old, bitcast<u32>(bitcast<f32>(old) + v));
        if (r.exchanged) {
            break;
        }
        old = r.old_value;
    }
}
