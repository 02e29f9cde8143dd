// Average pooling (F.avg_pool2d) over contiguous f32 planes [P, H, W] and its backward pass.
// The divisor follows PyTorch: windows are clipped to the padded input; with
// count_include_pad the divisor is that clipped window's size, otherwise the number of real
// input elements in it.
//   avg_pool:   one thread per output; sums its window row by row; an empty window gives 0.
//   avg_unpool: one thread per input element; gathers grad / divisor from every window that
//               holds it, in output order (no atomics).
// Specialisation: WG (threads).
// params: [P, 1, H, W, OH, OW, kh, kw, sh, sw, ph, pw, 1, 1, n (threads), count_include_pad]

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

// The input range [x, y) window `o` covers along `axis` and its divisor z.
fn span(o: u32, axis: u32) -> vec3<u32> {
    let size = i32(params[2u + axis]);
    let k = i32(params[6u + axis]);
    let s = i32(params[8u + axis]);
    let p = i32(params[10u + axis]);
    let start = i32(o) * s - p;
    let end = min(start + k, size + p);
    let lo = max(start, 0);
    let hi = max(max(min(end, size), 0), lo);
    var count = u32(hi - lo);
    if (params[15] != 0u) {
        count = u32(end - start);
    }
    return vec3<u32>(u32(lo), u32(hi), count);
}

// The output positions along `axis` whose window holds input coordinate `i`, as [x, y).
fn windows_of(i: u32, axis: u32) -> vec2<u32> {
    let k = params[6u + axis];
    let s = params[8u + axis];
    let q = i + params[10u + axis];
    var lo = 0u;
    if (q >= k) {
        lo = (q - k) / s + 1u;
    }
    let hi = min(q / s + 1u, params[4u + axis]);
    return vec2<u32>(lo, max(hi, lo));
}

@compute @workgroup_size(WG)
fn avg_pool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[14]) {
        return;
    }
    let h = params[2];
    let w = params[3];
    let ow = params[5];
    let l = params[4] * ow;
    let plane = (e / l) * h * w;
    let ys = span((e % l) / ow, 0u);
    let xs = span((e % l) % ow, 1u);
    var v = 0.0;
    if (ys.x < ys.y && xs.x < xs.y) {
        var sum = 0.0;
        for (var iy = ys.x; iy < ys.y; iy = iy + 1u) {
            for (var ix = xs.x; ix < xs.y; ix = ix + 1u) {
                sum = sum + src[plane + iy * w + ix];
            }
        }
        v = sum / f32(ys.z * xs.z);
    }
    dst[e] = v;
}

@compute @workgroup_size(WG)
fn avg_unpool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[14]) {
        return;
    }
    let h = params[2];
    let w = params[3];
    let ow = params[5];
    let l = params[4] * ow;
    let grads = (e / (h * w)) * l;
    let oys = windows_of((e / w) % h, 0u);
    let oxs = windows_of(e % w, 1u);
    var sum = 0.0;
    for (var oy = oys.x; oy < oys.y; oy = oy + 1u) {
        let ny = span(oy, 0u).z;
        for (var ox = oxs.x; ox < oxs.y; ox = ox + 1u) {
            sum = sum + src[grads + oy * ow + ox] / f32(ny * span(ox, 1u).z);
        }
    }
    dst[e] = sum;
}
