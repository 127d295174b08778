// Gather along one axis: y[o, j, r] = data[o, indices[j], r], where o runs over the dims before
// `axis` (outer), j over the flattened indices and r over the dims after `axis` (inner).
// Layout: data and y are flat row-major arrays of {{E}} elements (runtime/gpu/elements.ts moveType:
// f16 or p16 for float16 values stored so — p16 moves through f32, exactly —, else 4-byte words
// copied bitwise as u32: f32, i32 and bool alike); indices is a flat i32 array (int64 indices arrive saturated to i32).
// Negative indices count from the back of the axis; an index still out of range writes 0
// instead of reading outside the buffer (the spec leaves it an error).
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  n: u32,
  inner: u32,
  nidx: u32,
  axis_dim: u32,
}

//#tensor data 0 read {{E}}
@group(0) @binding(1) var<storage, read> indices: array<i32>;
//#tensor y 2 read_write {{E}}
@group(0) @binding(3) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let r = i % params.inner;
  let t = i / params.inner;
  let j = t % params.nidx;
  let o = t / params.nidx;
  var idx = indices[j];
  if (idx < 0) { idx = idx + i32(params.axis_dim); }
  if (idx < 0 || idx >= i32(params.axis_dim)) {
    y_set(i, 0);
    return;
  }
  y_set(i, data_get((o * params.axis_dim + u32(idx)) * params.inner + r));
}
