// Fills a flat buffer with one 4-byte value: y[i] = value for i < n (Dropout's all-true mask).
// Layout: y is a flat array of 4-byte elements written as u32; `value` holds the bit pattern
// (f32 bits for float tensors, i32 for integers, 0/1 for bool), made on the host.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (flat_index).
//#include prelude

struct Params {
  n: u32,
  value: u32,
}

@group(0) @binding(0) var<storage, read_write> y: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  y[i] = params.value;
}
