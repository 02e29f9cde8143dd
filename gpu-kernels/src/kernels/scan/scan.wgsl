// Inclusive prefix sums along one dimension of a strided view (torch.cumsum): one invocation
// per lane (a position in the other dims) walks the scanned dimension in order, so the
// additions happen in the same order as a sequential CPU loop. Floats use compensated (Kahan)
// summation in f32, which keeps the error near one rounding of the f64 running total; 32-bit
// integers add with wrap-around. The output is contiguous in the view's shape.
// Specialisation: WG (threads), INT (1 for i32 / u32 bits, 0 for f32).
// params: [n_lanes, len (scanned size), stride (of the scanned dim), inner (product of the
//          dims after it), view of the other dims at 4..18]

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

@compute @workgroup_size(WG)
fn cumsum(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let lane = (wid.y * nwg.x + wid.x) * WG + lid;
    if (lane >= params[0]) {
        return;
    }
    let len = params[1];
    let stride = params[2];
    let inner = params[3];
    let src = strided_index(4u, lane);
    let dst = (lane / inner) * len * inner + lane % inner;
    var total = 0u;
    var sum = 0.0;
    var carry = 0.0;
    for (var k = 0u; k < len; k = k + 1u) {
        let v = x[src + k * stride];
        if (INT == 1u) {
            total = total + v;
            y[dst + k * inner] = total;
        } else {
            let term = bitcast<f32>(v) - carry;
            let next = sum + term;
            carry = (next - sum) - term;
            sum = next;
            y[dst + k * inner] = bitcast<u32>(sum);
        }
    }
}
