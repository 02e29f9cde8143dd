// The backward pass of max pooling (aten::max_pool2d_with_indices_backward) as a gather, so
// no two threads write one element and sums keep the output order:
//   max_pool_bounds: per plane, the rows hit by each output row's indices and the columns hit
//                    by each output column's, as [min, max] (empty: [0xffffffff, 0]);
//   max_unpool:      one thread per input element sums grad over the outputs whose index
//                    names it, visiting only output rows / columns whose bounds hold it.
// Indices are flat iy·W + ix inside each [H, W] plane; -1 and out-of-range ones route nowhere.
// Specialisation: WG (threads).
// params: [P, H, W, OH, OW, n (threads)]

@group(0) @binding(0) var<storage, read> grad: array<f32>;
@group(0) @binding(1) var<storage, read> arg: array<i32>;
@group(0) @binding(2) var<storage, read_write> bounds: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<f32>;
@group(0) @binding(4) var<storage, read> params: array<u32>;

@compute @workgroup_size(WG)
fn max_pool_bounds(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let t = (wid.y * nwg.x + wid.x) * WG + lid;
    if (t >= params[5]) {
        return;
    }
    let h = params[1];
    let w = params[2];
    let oh = params[3];
    let ow = params[4];
    let first = (t / (oh + ow)) * oh * ow;
    let r = t % (oh + ow);
    var lo = 0xffffffffu;
    var hi = 0u;
    // Output row r (its ow entries), or output column r − oh (its oh entries).
    var count = ow;
    var start = first + r * ow;
    var step = 1u;
    if (r >= oh) {
        count = oh;
        start = first + r - oh;
        step = ow;
    }
    for (var k = 0u; k < count; k = k + 1u) {
        let a = arg[start + k * step];
        if (a < 0 || u32(a) >= h * w) {
            continue;
        }
        var c = u32(a) / w;
        if (r >= oh) {
            c = u32(a) % w;
        }
        lo = min(lo, c);
        hi = max(hi, c);
    }
    bounds[2u * t] = lo;
    bounds[2u * t + 1u] = hi;
}

@compute @workgroup_size(WG)
fn max_unpool(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[5]) {
        return;
    }
    let h = params[1];
    let w = params[2];
    let oh = params[3];
    let ow = params[4];
    let p = e / (h * w);
    let at = e % (h * w);
    let iy = at / w;
    let ix = at % w;
    let rows = 2u * p * (oh + ow);
    let cols = rows + 2u * oh;
    let first = p * oh * ow;
    var sum = 0.0;
    for (var oy = 0u; oy < oh; oy = oy + 1u) {
        if (iy < bounds[rows + 2u * oy] || iy > bounds[rows + 2u * oy + 1u]) {
            continue;
        }
        for (var ox = 0u; ox < ow; ox = ox + 1u) {
            if (ix < bounds[cols + 2u * ox] || ix > bounds[cols + 2u * ox + 1u]) {
                continue;
            }
            let o = first + oy * ow + ox;
            if (arg[o] == i32(at)) {
                sum = sum + grad[o];
            }
        }
    }
    dst[e] = sum;
}
