// InstanceNormalization: y = scale[c] * (x - mean) / sqrt(var + epsilon) + bias[c], with the mean
// and (biased) variance of each (n, c) instance over its spatial elements.
// Layout: x and y are flat row-major S [N, C, S] (S: the product of the spatial dims; element
// type f32, or f16 / p16 for float16 values stored so, computed in f32), so instance i = n * C + c is
// the contiguous run x[i * S .. (i + 1) * S); scale and bias are S [C].
// Tiling: one workgroup of {{WG}} invocations per instance (2D grid of workgroups). Three passes
// over the run, invocations striding by {{WG}}: the sum (tree reduction in workgroup memory)
// gives the mean, then the sum of squared deviations gives the variance (two-pass, no
// cancellation), then every element is written.
//#include prelude

struct Params {
  instances: u32,
  channels: u32,
  spatial: u32,
  epsilon: f32,
}

//#tensor x 0 read {{S}}
//#tensor scale 1 read {{S}}
//#tensor bias 2 read {{S}}
//#tensor y 3 read_write {{S}}
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> part: array<f32, {{WG}}>;

// The sum of every invocation's v (must be called by the whole workgroup).
fn workgroup_sum(v: f32, lidx: u32) -> f32 {
  part[lidx] = v;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s) { part[lidx] += part[lidx + s]; }
    workgroupBarrier();
  }
  let total = part[0];
  // Nobody may overwrite part[0] before everyone has read it.
  workgroupBarrier();
  return total;
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  // inst is uniform across the workgroup, so the early return keeps the barriers uniform.
  let inst = wid.y * nwg.x + wid.x;
  if (inst >= params.instances) { return; }
  let start = inst * params.spatial;
  let count = f32(params.spatial);
  var s = 0.0;
  for (var j = lidx; j < params.spatial; j += {{WG}}u) { s += x_get(start + j); }
  let mean = workgroup_sum(s, lidx) / count;
  var q = 0.0;
  for (var j = lidx; j < params.spatial; j += {{WG}}u) {
    let d = x_get(start + j) - mean;
    q += d * d;
  }
  let variance = workgroup_sum(q, lidx) / count;
  let c = inst % params.channels;
  let a = scale_get(c) / sqrt(variance + params.epsilon);
  let b = bias_get(c) - a * mean;
  for (var j = lidx; j < params.spatial; j += {{WG}}u) { y_set(start + j, a * x_get(start + j) + b); }
}
