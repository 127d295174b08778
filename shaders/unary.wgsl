// Elementwise unary op y[i] = f(x[i]) over a flat array of n elements.
// Layout: x, y flat row-major f32. Tiling: one element per invocation, {{WG}} per workgroup,
// 2D grid of workgroups (see flat_index). f is the define {{EXPR}} of `v` (and params.alpha/beta).
//#include prelude

struct Params {
  n: u32,
  alpha: f32,
  beta: f32,
  gamma: f32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let v = x[i];
  let alpha = params.alpha;
  let beta = params.beta;
  let gamma = params.gamma;
  y[i] = {{EXPR}};
}
