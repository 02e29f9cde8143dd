// Max pooling (F.max_pool2d with return_indices=True) over contiguous f32 planes [P, H, W]:
// one thread per output scans its dilated window in row-major order and keeps the first
// maximum, with a NaN winning over any number, as PyTorch does; `arg` gets the winner's flat
// index iy·W + ix inside its plane, or -1 (value -inf) when every tap falls in the padding.
// Specialisation: WG (threads).
// params: [P, 1, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, n (threads)]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<storage, read_write> arg: array<i32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

fn is_nan(v: f32) -> bool {
    return (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

@compute @workgroup_size(WG)
fn max_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[14]) {
        return;
    }
    let h = params[2];
    let w = params[3];
    let ow = params[5];
    let l = params[4] * ow;
    let plane = (e / l) * h * w;
    let oy = (e % l) / ow;
    let ox = (e % l) % ow;
    var best = bitcast<f32>(0xff800000u);
    var best_i = -1;
    for (var i = 0u; i < params[6]; i = i + 1u) {
        let py = oy * params[8] + i * params[12];
        if (py < params[10] || py - params[10] >= h) {
            continue;
        }
        let iy = py - params[10];
        for (var j = 0u; j < params[7]; j = j + 1u) {
            let px = ox * params[9] + j * params[13];
            if (px < params[11] || px - params[11] >= w) {
                continue;
            }
            let at = iy * w + px - params[11];
            let v = x[plane + at];
            if (best_i < 0 || v > best || is_nan(v)) {
                best = v;
                best_i = i32(at);
            }
        }
    }
    out[e] = best;
    arg[e] = best_i;
}
