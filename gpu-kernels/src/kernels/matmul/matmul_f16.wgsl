enable f16;

// Batched f16 matrix multiply (f32 accumulation) C = A x B, tiled in workgroup memory with register blocking.
//
// Specialisation constants (prepended by the pipeline cache):
//   BM, BN, BK : tile of C computed by one workgroup and the K-slice staged per step
//   TM, TN     : outputs per thread (a TM x TN register block)
//   A_T, B_T   : 1 when the operand is stored K-major (transposed), which only changes how the
//                tile loads are mapped to threads so that global reads stay coalesced.
// params: [M, N, K, batch1, a_off, a_bs0, a_bs1, a_rs, a_cs, b_off, b_bs0, b_bs1, b_rs, b_cs]
// C is contiguous [batch0, batch1, M, N]; workgroup z = b0 * batch1 + b1.

@group(0) @binding(0) var<storage, read> a: array<f16>;
@group(0) @binding(1) var<storage, read> b: array<f16>;
@group(0) @binding(2) var<storage, read_write> c: array<f16>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

const WG_X: u32 = BN / TN;
const WG_Y: u32 = BM / TM;
const NT: u32 = WG_X * WG_Y;

var<workgroup> a_tile: array<f16, BK * BM>; // [k][m]
var<workgroup> b_tile: array<f16, BK * BN>; // [k][n]

@compute @workgroup_size(WG_X, WG_Y, 1)
fn matmul_f16(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
    @builtin(local_invocation_index) tid: u32,
) {
    let M = params[0];
    let N = params[1];
    let K = params[2];
    let batch1 = params[3];
    let b0 = wid.z / batch1;
    let b1 = wid.z % batch1;
    let a_base = params[4] + b0 * params[5] + b1 * params[6];
    let a_rs = params[7];
    let a_cs = params[8];
    let b_base = params[9] + b0 * params[10] + b1 * params[11];
    let b_rs = params[12];
    let b_cs = params[13];
    let row0 = wid.y * BM;
    let col0 = wid.x * BN;

    var acc: array<f32, TM * TN>;
    for (var i = 0u; i < TM * TN; i = i + 1u) {
        acc[i] = 0.0;
    }
    var ar: array<f32, TM>;
    var br: array<f32, TN>;

    for (var k0 = 0u; k0 < K; k0 = k0 + BK) {
        for (var i = tid; i < BM * BK; i = i + NT) {
            var m: u32;
            var kk: u32;
            if (A_T == 1u) {
                m = i % BM;
                kk = i / BM;
            } else {
                m = i / BK;
                kk = i % BK;
            }
            let gr = row0 + m;
            let gk = k0 + kk;
            var v = f16(0.0);
            if (gr < M && gk < K) {
                v = a[a_base + gr * a_rs + gk * a_cs];
            }
            a_tile[kk * BM + m] = v;
        }
        for (var i = tid; i < BN * BK; i = i + NT) {
            var n: u32;
            var kk: u32;
            if (B_T == 1u) {
                n = i / BK;
                kk = i % BK;
            } else {
                n = i % BN;
                kk = i / BN;
            }
            let gc = col0 + n;
            let gk = k0 + kk;
            var v = f16(0.0);
            if (gc < N && gk < K) {
                v = b[b_base + gk * b_rs + gc * b_cs];
            }
            b_tile[kk * BN + n] = v;
        }
        workgroupBarrier();
        for (var kk = 0u; kk < BK; kk = kk + 1u) {
            // Thread (x, y) owns rows y + WG_Y * i and columns x + WG_X * j: strided ownership
            // keeps neighbouring threads on neighbouring workgroup-memory words.
            for (var i = 0u; i < TM; i = i + 1u) {
                ar[i] = f32(a_tile[kk * BM + lid.y + WG_Y * i]);
            }
            for (var j = 0u; j < TN; j = j + 1u) {
                br[j] = f32(b_tile[kk * BN + lid.x + WG_X * j]);
            }
            for (var i = 0u; i < TM; i = i + 1u) {
                for (var j = 0u; j < TN; j = j + 1u) {
                    acc[i * TN + j] = fma(ar[i], br[j], acc[i * TN + j]);
                }
            }
        }
        workgroupBarrier();
    }

    let c_base = wid.z * M * N;
    for (var i = 0u; i < TM; i = i + 1u) {
        let r = row0 + lid.y + WG_Y * i;
        for (var j = 0u; j < TN; j = j + 1u) {
            let col = col0 + lid.x + WG_X * j;
            if (r < M && col < N) {
                c[c_base + r * N + col] = f16(acc[i * TN + j]);
            }
        }
    }
}
