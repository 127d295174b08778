// MaxUnpool's scatter: y[indices[i]] = x[i] for every input element i (y was zero-filled first by
// fill.wgsl). Layout: x and y hold S elements (f32, or f16 / p16 for float16 values stored so); x and
// indices (i32; int64 saturated) are flat arrays of n elements; indices are flat positions in y (N x C x D1 … Dk, row-major), as MaxPool's Indices output
// gives them. Positions outside [0, y_size) are skipped. Duplicate positions (overlapping pool
// windows) receive one of their values — the same value when they come from MaxPool.
// Tiling: one input element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  n: u32,
  y_size: u32,
}

//#tensor x 0 read {{S}}
@group(0) @binding(1) var<storage, read> indices: array<i32>;
//#tensor y 2 read_write {{S}}
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let at = indices[i];
  if (at < 0 || u32(at) >= params.y_size) { return; }
  y_set(u32(at), x_get(i));
}
