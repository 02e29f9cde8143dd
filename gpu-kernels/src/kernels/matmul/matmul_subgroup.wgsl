// Batched f32 matrix multiply for skinny products (few rows, e.g. matrix-vector): one workgroup
// per output element splits K across its threads and reduces the partial sums with subgroupAdd,
// then across subgroups in workgroup memory. Needs the SUBGROUP device feature (wgpu enables
// the built-ins from the feature; no `enable` directive).
//
// Specialisation constant: WG (threads per workgroup).
// params: [M, N, K, batch1, a_off, a_bs0, a_bs1, a_rs, a_cs, b_off, b_bs0, b_bs1, b_rs, b_cs]
// Workgroup (x, y, z) = (column, row, batch); C is contiguous [batch0, batch1, M, N].

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
@group(0) @binding(3) var<storage, read> params: array<u32>;

var<workgroup> partial: array<f32, WG>;

@compute @workgroup_size(WG)
fn matmul_subgroup(
    @builtin(workgroup_id) wid: vec3<u32>,
    @builtin(local_invocation_index) tid: u32,
    @builtin(subgroup_invocation_id) lane: u32,
    @builtin(subgroup_id) sg: u32,
    @builtin(num_subgroups) nsg: u32,
) {
    let M = params[0];
    let N = params[1];
    let K = params[2];
    let batch1 = params[3];
    let b0 = wid.z / batch1;
    let b1 = wid.z % batch1;
    let col = wid.x;
    let row = wid.y;
    let a_row = params[4] + b0 * params[5] + b1 * params[6] + row * params[7];
    let a_cs = params[8];
    let b_col = params[9] + b0 * params[10] + b1 * params[11] + col * params[13];
    let b_rs = params[12];

    var s = 0.0;
    for (var k = tid; k < K; k = k + WG) {
        s = fma(a[a_row + k * a_cs], b[b_col + k * b_rs], s);
    }
    let t = subgroupAdd(s);
    if (lane == 0u) {
        partial[sg] = t;
    }
    workgroupBarrier();
    if (tid == 0u) {
        var total = 0.0;
        for (var i = 0u; i < nsg; i = i + 1u) {
            total = total + partial[i];
        }
        c[wid.z * M * N + row * N + col] = total;
    }
}
