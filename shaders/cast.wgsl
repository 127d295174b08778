// Cast between element kinds: y[i] = {{EXPR}} of the input bits v (u32).
// Layout: x and y are flat arrays of 4-byte elements read and written as raw u32 bits: f32 for
// float tensors, i32 for integer tensors, u32 0/1 for bool. EXPR (chosen on the host from the
// source and target types) bitcasts v, converts (f32 -> i32 truncates toward zero and
// saturates), and narrows 8/16-bit integer targets by wrapping, as a C cast does.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (flat_index).
//#include prelude

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let v = x[i];
  y[i] = {{EXPR}};
}
