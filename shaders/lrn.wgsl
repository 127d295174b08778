// Local response normalization across channels (ONNX LRN):
//   y = x / (bias + alpha / size * sum of x^2 over channels [c - lo, c + hi])^beta,
//   lo = floor((size - 1) / 2), hi = ceil((size - 1) / 2), clipped to [0, C).
// Layout: x and y are [N, C, S] row-major (S = product of the spatial dims), elements ST (f32,
// or f16 / p16 for float16 values stored so, computed in f32). Tiling: one output element per
// invocation, {{WG}} per workgroup, 2-D grid of workgroups (see flat_index).
//#include prelude

struct Params {
  total: u32,
  C: u32,
  S: u32,
  lo: u32,
  hi: u32,
  alpha_over_size: f32,
  beta: f32,
  bias: f32,
}

//#tensor x 0 read {{ST}}
//#tensor y 1 read_write {{ST}}
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let s = i % params.S;
  let c = (i / params.S) % params.C;
  let n = i / (params.S * params.C);
  let c0 = u32(max(i32(c) - i32(params.lo), 0));
  let c1 = min(c + params.hi, params.C - 1u);
  var sum = 0.0;
  for (var j = c0; j <= c1; j++) {
    let v = x_get((n * params.C + j) * params.S + s);
    sum += v * v;
  }
  y_set(i, x_get(i) / pow(params.bias + params.alpha_over_size * sum, params.beta));
}
