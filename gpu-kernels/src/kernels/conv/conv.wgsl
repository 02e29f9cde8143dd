// Convolution as im2col + GEMM, in PyTorch's F.unfold / F.fold layout:
//   im2col: cols[n, (c·kh + i)·kw + j, oy·OW + ox] = x[n, c, oy·sh + i·dh − ph, ox·sw + j·dw − pw]
//           (0 where the tap falls in the padding); one thread per element of cols.
//   col2im: the adjoint, written as a gather: each input element sums, in (i, j) order, the
//           entries of cols that were read from it, so no two threads write one element.
// x and cols are contiguous f32. Specialisation: WG (threads).
// params: [N, C, H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, n (threads)]

@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

@compute @workgroup_size(WG)
fn im2col(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[14]) {
        return;
    }
    let c = params[1];
    let h = params[2];
    let w = params[3];
    let ow = params[5];
    let kh = params[6];
    let kw = params[7];
    let l = params[4] * ow;
    let rows = c * kh * kw;
    let pos = e % l;
    let row = (e / l) % rows;
    let n = e / (l * rows);
    let ch = row / (kh * kw);
    let i = (row / kw) % kh;
    let j = row % kw;
    // Coordinates in the padded input; below the padding means outside.
    let py = (pos / ow) * params[8] + i * params[12];
    let px = (pos % ow) * params[9] + j * params[13];
    var v = 0.0;
    if (py >= params[10] && px >= params[11]) {
        let iy = py - params[10];
        let ix = px - params[11];
        if (iy < h && ix < w) {
            v = src[((n * c + ch) * h + iy) * w + ix];
        }
    }
    dst[e] = v;
}

@compute @workgroup_size(WG)
fn col2im(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let e = (wid.y * nwg.x + wid.x) * WG + lid;
    if (e >= params[14]) {
        return;
    }
    let h = params[2];
    let w = params[3];
    let oh = params[4];
    let ow = params[5];
    let kh = params[6];
    let kw = params[7];
    let sh = params[8];
    let sw = params[9];
    let dh = params[12];
    let dw = params[13];
    let l = oh * ow;
    let ix = e % w;
    let iy = (e / w) % h;
    // Plane (n, c) owns rows (n·C + c)·kh·kw + (i·kw + j) of cols.
    let first_row = (e / (h * w)) * kh * kw;
    let py = iy + params[10];
    let px = ix + params[11];
    var sum = 0.0;
    for (var i = 0u; i < kh; i = i + 1u) {
        if (py < i * dh) {
            break;
        }
        let ty = py - i * dh;
        let oy = ty / sh;
        if (ty % sh != 0u || oy >= oh) {
            continue;
        }
        for (var j = 0u; j < kw; j = j + 1u) {
            if (px < j * dw) {
                break;
            }
            let tx = px - j * dw;
            let ox = tx / sw;
            if (tx % sw != 0u || ox >= ow) {
                continue;
            }
            sum = sum + src[(first_row + i * kw + j) * l + oy * ow + ox];
        }
    }
    dst[e] = sum;
}
