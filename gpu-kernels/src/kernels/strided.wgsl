
// ---- shared helper: strided views (appended to families that index views) ----
// A view is encoded in `params` at `base` as [rank, offset, shape[6], strides[6]].

// Buffer index of the `i`-th element, in row-major order, of the view encoded at `base`.
fn strided_index(base: u32, i: u32) -> u32 {
    let rank = params[base];
    var rem = i;
    var idx = params[base + 1u];
    for (var d = i32(rank) - 1; d >= 0; d = d - 1) {
        let n = params[base + 2u + u32(d)];
        let s = params[base + 8u + u32(d)];
        idx = idx + (rem % n) * s;
        rem = rem / n;
    }
    return idx;
}
