// Conversions between f32, f16 and bf16. 16-bit values are packed two per u32 word (element
// 2w in the low half of word w). All conversions are done on bits, so results are exact and
// identical on every adapter: f32 -> f16 / bf16 round to nearest, ties to even; NaN stays NaN.
// One invocation per output element (to f32) or per output word (to 16-bit).
// params: [n] (number of elements)

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;



fn f16_from_f32_bits(v: u32) -> u32 {
    let sign = (v >> 16u) & 0x8000u;
    let exp = (v >> 23u) & 0xffu;
    let mant = v & 0x7fffffu;
    if (exp == 0xffu) {
        if (mant != 0u) {
            return sign | 0x7e00u;
        }
        return sign | 0x7c00u;
    }
    let e = i32(exp) - 112;
    if (e >= 31) {
        return sign | 0x7c00u;
    }
    if (e <= 0) {
        if (e < -10) {
            return sign;
        }
        let m = mant | 0x800000u;
        let shift = u32(14 - e);
        let q = m >> shift;
        let rem = m & ((1u << shift) - 1u);
        let halfway = 1u << (shift - 1u);
        var r = q;
        if (rem > halfway || (rem == halfway && (q & 1u) == 1u)) {
            r = r + 1u;
        }
        return sign | r;
    }
    let q = mant >> 13u;
    let rem = mant & 0x1fffu;
    var r = (u32(e) << 10u) | q;
    if (rem > 0x1000u || (rem == 0x1000u && (q & 1u) == 1u)) {
        r = r + 1u;
    }
    return sign | r;
}

fn f32_bits_from_f16(h: u32) -> u32 {
    let sign = (h & 0x8000u) << 16u;
    let exp = (h >> 10u) & 0x1fu;
    let mant = h & 0x3ffu;
    if (exp == 0u) {
        if (mant == 0u) {
            return sign;
        }
        // Subnormal: normalise the mantissa.
        var m = mant;
        var e = 113u;
        while ((m & 0x400u) == 0u) {
            m = m << 1u;
            e = e - 1u;
        }
        return sign | (e << 23u) | ((m & 0x3ffu) << 13u);
    }
    if (exp == 31u) {
        return sign | 0x7f800000u | (mant << 13u);
    }
    return sign | ((exp + 112u) << 23u) | (mant << 13u);
}

fn bf16_from_f32_bits(v: u32) -> u32 {
    if ((v & 0x7fffffffu) > 0x7f800000u) {
        return (v >> 16u) | 0x40u;
    }
    let lsb = (v >> 16u) & 1u;
    return (v + 0x7fffu + lsb) >> 16u;
}

fn half_at(i: u32) -> u32 {
    return (x[i / 2u] >> ((i % 2u) * 16u)) & 0xffffu;
}

fn linear_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
    return (wid.y * nwg.x + wid.x) * WG + lid;
}

@compute @workgroup_size(WG)
fn f16_to_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if (i < params[0]) {
        y[i] = f32_bits_from_f16(half_at(i));
    }
}

@compute @workgroup_size(WG)
fn bf16_to_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = linear_id(wid, nwg, lid);
    if (i < params[0]) {
        y[i] = half_at(i) << 16u;
    }
}

// Converts source element `i` (of the kind given by SRC: 0 f32, 1 f16, 2 bf16) to 16-bit bits
// of the kind given by DST (1 f16, 2 bf16).
fn to_half(i: u32) -> u32 {
    var bits: u32;
    if (SRC == 0u) {
        bits = x[i];
    } else if (SRC == 1u) {
        bits = f32_bits_from_f16(half_at(i));
    } else {
        bits = half_at(i) << 16u;
    }
    if (DST == 1u) {
        return f16_from_f32_bits(bits);
    }
    return bf16_from_f32_bits(bits);
}

@compute @workgroup_size(WG)
fn to_16bit(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let w = linear_id(wid, nwg, lid);
    let n = params[0];
    let i = 2u * w;
    if (i < n) {
        var word = to_half(i);
        if (i + 1u < n) {
            word = word | (to_half(i + 1u) << 16u);
        }
        y[w] = word;
    }
}
