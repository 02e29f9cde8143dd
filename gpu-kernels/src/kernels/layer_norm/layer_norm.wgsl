// Layer normalisation over the last dimension of a contiguous [rows, cols] f32 buffer
// (torch.nn.functional.layer_norm with normalized_shape = [cols]).
//   forward:          y = (x - mean) * rstd * gamma + beta, saving mean and rstd per row,
//                     rstd = 1 / sqrt(biased variance + eps); mean and variance in two passes.
//   backward_input:   dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gamma.
//   backward_params:  dgamma = sum over rows of dy * xhat, dbeta = sum over rows of dy.
// Specialisation: WG (threads per row, power of two; the params kernel uses 64 x 4).
// The three entry points bind different buffers at the same slots; each entry point's own
// bindings are listed above it (binding 6 is always `params`).

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(6) var<storage, read> params: array<u32>;

var<workgroup> red: array<f32, WG>;

// Sum of `v` over the workgroup; every invocation gets the total. Call in uniform control flow.
fn workgroup_sum(v: f32, tid: u32) -> f32 {
    red[tid] = v;
    workgroupBarrier();
    for (var k = WG / 2u; k > 0u; k = k >> 1u) {
        if (tid < k) {
            red[tid] = red[tid] + red[tid + k];
        }
        workgroupBarrier();
    }
    let total = red[0];
    workgroupBarrier();
    return total;
}

// ---- forward. params: [rows, cols, eps (f32 bits), has_gamma, has_beta]
@group(0) @binding(1) var<storage, read> fw_gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
@group(0) @binding(4) var<storage, read_write> mean_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd_out: array<f32>;

@compute @workgroup_size(WG)
fn forward(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let row = wid.y * nwg.x + wid.x;
    let rows = params[0];
    let cols = params[1];
    if (row >= rows) {
        return;
    }
    let eps = bitcast<f32>(params[2]);
    let base = row * cols;
    var s = 0.0;
    for (var j = tid; j < cols; j = j + WG) {
        s = s + x[base + j];
    }
    let mean = workgroup_sum(s, tid) / f32(cols);
    var q = 0.0;
    for (var j = tid; j < cols; j = j + WG) {
        let d = x[base + j] - mean;
        q = q + d * d;
    }
    let rstd = inverseSqrt(workgroup_sum(q, tid) / f32(cols) + eps);
    for (var j = tid; j < cols; j = j + WG) {
        var v = (x[base + j] - mean) * rstd;
        if (params[3] == 1u) {
            v = v * fw_gamma[j];
        }
        if (params[4] == 1u) {
            v = v + beta[j];
        }
        y[base + j] = v;
    }
    if (tid == 0u) {
        mean_out[row] = mean;
        rstd_out[row] = rstd;
    }
}

// ---- backward_input. params: [rows, cols, has_gamma]
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> mean_in: array<f32>;
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read> gamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<f32>;

@compute @workgroup_size(WG)
fn backward_input(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
    let row = wid.y * nwg.x + wid.x;
    let rows = params[0];
    let cols = params[1];
    if (row >= rows) {
        return;
    }
    let base = row * cols;
    let mean = mean_in[row];
    let rstd = rstd_in[row];
    let has_gamma = params[2] == 1u;
    var sg = 0.0;
    var sgx = 0.0;
    for (var j = tid; j < cols; j = j + WG) {
        var g = dy[base + j];
        if (has_gamma) {
            g = g * gamma[j];
        }
        sg = sg + g;
        sgx = sgx + g * (x[base + j] - mean) * rstd;
    }
    let a = workgroup_sum(sg, tid) / f32(cols);
    let b = workgroup_sum(sgx, tid) / f32(cols);
    for (var j = tid; j < cols; j = j + WG) {
        var g = dy[base + j];
        if (has_gamma) {
            g = g * gamma[j];
        }
        let xhat = (x[base + j] - mean) * rstd;
        dx[base + j] = rstd * (g - a - xhat * b);
    }
}

// ---- backward_params: dgamma / dbeta: column sums over rows. A 64 x 4 workgroup covers 64 columns;
// its 4 rows of threads split the rows of the input and are merged in workgroup memory.
// params: [rows, cols]; binds x, dy, mean_in, rstd_in as backward_input does.

@group(0) @binding(4) var<storage, read_write> dgamma: array<f32>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<f32>;

var<workgroup> part_g: array<f32, 256>;
var<workgroup> part_b: array<f32, 256>;

@compute @workgroup_size(64, 4, 1)
fn backward_params(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
    let rows = params[0];
    let cols = params[1];
    let c = wid.x * 64u + lid.x;
    var g = 0.0;
    var b = 0.0;
    if (c < cols) {
        for (var r = lid.y; r < rows; r = r + 4u) {
            let d = dy[r * cols + c];
            g = g + d * (x[r * cols + c] - mean_in[r]) * rstd_in[r];
            b = b + d;
        }
    }
    part_g[lid.y * 64u + lid.x] = g;
    part_b[lid.y * 64u + lid.x] = b;
    workgroupBarrier();
    if (lid.y == 0u && c < cols) {
        dgamma[c] = part_g[lid.x] + part_g[64u + lid.x] + part_g[128u + lid.x] + part_g[192u + lid.x];
        dbeta[c] = part_b[lid.x] + part_b[64u + lid.x] + part_b[128u + lid.x] + part_b[192u + lid.x];
    }
}
