// Global max / average pooling: y_set(p, max or mean of x over plane p, for planes of `size`
// contiguous elements (the spatial dims of an NC... tensor, flattened).
// Layout: x is [planes, size] row-major, y is [planes], elements of storage type S (f32, or f16
// for float16 values); accumulated in f32).
// Tiling: without THREAD, one workgroup per plane (2-D grid of workgroups, see flat_index): its
// {{WG}} invocations stride over the plane and combine their partial results by a tree reduction
// in workgroup memory. With THREAD, one invocation per plane, {{WG}} planes per workgroup, each a
// plain loop: for small planes (squeeze-and-excitation blocks at 7x7 or 14x14), where the tree's
// barriers cost more than the loop (a software adapter switches every SIMD group at a barrier).
//#include prelude

struct Params {
  planes: u32,
  size: u32,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

#if THREAD
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let plane = flat_index(wid, nwg, lidx, {{WG}}u);
  if (plane >= params.planes) { return; }
  let base = plane * params.size;
#if MAX
  var acc = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var i = 0u; i < params.size; i++) { acc = max(acc, x_get(base + i)); }
  y_set(plane, acc);
#else
  var acc = 0.0;
  for (var i = 0u; i < params.size; i++) { acc += x_get(base + i); }
  y_set(plane, acc / f32(params.size));
#endif
}
#else
var<workgroup> part: array<f32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let plane = flat_index(wid, nwg, 0u, 1u);
  // Uniform per workgroup, so the barriers below stay in uniform control flow.
  if (plane >= params.planes) { return; }
  let base = plane * params.size;
#if MAX
  var acc = bitcast<f32>(0xff7fffffu); // the lowest finite f32
  for (var i = lidx; i < params.size; i += {{WG}}u) { acc = max(acc, x_get(base + i)); }
#else
  var acc = 0.0;
  for (var i = lidx; i < params.size; i += {{WG}}u) { acc += x_get(base + i); }
#endif
  part[lidx] = acc;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s /= 2u) {
    if (lidx < s) {
#if MAX
      part[lidx] = max(part[lidx], part[lidx + s]);
#else
      part[lidx] = part[lidx] + part[lidx + s];
#endif
    }
    workgroupBarrier();
  }
  if (lidx == 0u) {
#if MAX
    y_set(plane, part[0]);
#else
    y_set(plane, part[0] / f32(params.size));
#endif
  }
}
#endif
