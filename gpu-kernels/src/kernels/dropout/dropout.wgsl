// Dropout with a counter-based generator: element i is kept when hash(seed, i) >= threshold
// (threshold = p * 2^32), and kept values are scaled by 1 / (1 - p). The mask is a pure
// function of (seed, i), so the backward pass regenerates it by running the same kernel on
// the upstream gradient with the same seed; nothing needs to be stored.
// The hash is the PCG output permutation (O'Neill 2014, "RXS M XS" variant, as used by
// Jarzynski & Olano 2020 for GPU hashing) applied in three rounds to mix in the 64-bit seed.
// Specialisation: WG (threads).
// params: [n, seed_lo, seed_hi, threshold, scale (f32 bits)]

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<storage, read> params: array<u32>;

fn pcg_hash(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn random_bits(i: u32, seed_lo: u32, seed_hi: u32) -> u32 {
    let key = pcg_hash(seed_lo ^ pcg_hash(seed_hi));
    return pcg_hash(pcg_hash(i ^ key) + key);
}

@compute @workgroup_size(WG)
fn dropout(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let keep = random_bits(i, params[1], params[2]) >= params[3];
    y[i] = select(0.0, x[i] * bitcast<f32>(params[4]), keep);
}

// bernoulli: y[i] = 1 with probability x[i], else 0 (torch.bernoulli), from the same
// counter-based bits: the top 24 bits form u in [0, 1) and the draw is u < x[i], so
// probability 0 never fires and 1 always does.
// params: [n, seed_lo, seed_hi]
@compute @workgroup_size(WG)
fn bernoulli(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let i = (wid.y * nwg.x + wid.x) * WG + lid;
    if (i >= params[0]) {
        return;
    }
    let u = f32(random_bits(i, params[1], params[2]) >> 8u) * (1.0 / 16777216.0);
    y[i] = select(0.0, 1.0, u < x[i]);
}
