// Element-type conversions that kiln-gpu-kernels' float `cast` does not cover: between 32-bit
// integer buffers (i32 for int64 tensors, u32 for uint8 / bool) and f32, elementwise.
//   mode 0: i32 -> f32        mode 1: u32 -> f32
//   mode 2: f32 -> i32 (truncate toward zero, saturating)
//   mode 3: f32 -> bool as u32 (x != 0; NaN is true)
//   mode 4: f32 -> uint8 as u32 (truncate toward zero, saturating to [0, 255])
// params: [n, mode, threads per grid row]

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

@compute @workgroup_size(256)
fn convert(@builtin(global_invocation_id) gid: vec3<u32>) {
    let i = gid.y * params[2] + gid.x;
    if (i >= params[0]) {
        return;
    }
    let v = src[i];
    let f = bitcast<f32>(v);
    switch params[1] {
        case 0u: {
            dst[i] = bitcast<u32>(f32(bitcast<i32>(v)));
        }
        case 1u: {
            dst[i] = bitcast<u32>(f32(v));
        }
        case 2u: {
            dst[i] = bitcast<u32>(i32(clamp(trunc(f), -2147483648.0, 2147483520.0)));
        }
        case 3u: {
            dst[i] = select(0u, 1u, f != 0.0);
        }
        default: {
            dst[i] = u32(clamp(trunc(f), 0.0, 255.0));
        }
    }
}
