// ArgMax / ArgMin along one axis.
// Layout: x is flat row-major {{S}} (f32, f16 or p16 for float16 values stored so, compared in
// f32, exactly; or i32 for integer tensors), viewed as [outer, len, inner] around the reduced
// axis; y holds one i32 index per (outer, inner) pair in row-major order (the same layout with
// keepdims 1 or 0). Output o = a * inner + b reads
// x[a * len * inner + j * inner + b] for j in [0, len).
// Order: a candidate (v, j) beats (best, bj) when v {{CMP}} best, or on a tie when its index is
// smaller (first occurrence) or, with LAST (select_last_index = 1), larger.
// Tiling, variant WORKGROUP (long axes): one workgroup of {{WG}} invocations per output (2D grid
// of workgroups); invocations stride over j, then a tree reduction of (value, index) pairs in
// workgroup memory. Otherwise one invocation per output, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

alias T = {{T}};

struct Params {
  outputs: u32,
  len: u32,
  inner: u32,
}

//#tensor x 0 read {{S}}
@group(0) @binding(1) var<storage, read_write> y: array<i32>;
@group(0) @binding(2) var<uniform> params: Params;

fn beats(v: T, j: u32, best: T, bj: u32) -> bool {
  if (v {{CMP}} best) { return true; }
#if LAST
  return v == best && j > bj;
#else
  return v == best && j < bj;
#endif
}

fn base_of(o: u32) -> u32 {
  let a = o / params.inner;
  let b = o - a * params.inner;
  return a * params.len * params.inner + b;
}

#if WORKGROUP
var<workgroup> vals: array<T, {{WG}}>;
var<workgroup> idxs: array<u32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  // o is uniform across the workgroup, so the early return keeps the barriers uniform.
  let o = wid.y * nwg.x + wid.x;
  if (o >= params.outputs) { return; }
  let base = base_of(o);
  // Invocations past the axis length take the last element: every slot then holds a real
  // candidate, and ties still resolve by index.
  var bj = min(lidx, params.len - 1u);
  var best = x_get(base + bj * params.inner);
  for (var j = lidx + {{WG}}u; j < params.len; j += {{WG}}u) {
    let v = x_get(base + j * params.inner);
    if (beats(v, j, best, bj)) { best = v; bj = j; }
  }
  vals[lidx] = best;
  idxs[lidx] = bj;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s && beats(vals[lidx + s], idxs[lidx + s], vals[lidx], idxs[lidx])) {
      vals[lidx] = vals[lidx + s];
      idxs[lidx] = idxs[lidx + s];
    }
    workgroupBarrier();
  }
  if (lidx == 0u) { y[o] = i32(idxs[0]); }
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let o = flat_index(wid, nwg, lidx, {{WG}}u);
  if (o >= params.outputs) { return; }
  let base = base_of(o);
  var best = x_get(base);
  var bj = 0u;
  for (var j = 1u; j < params.len; j++) {
    let v = x_get(base + j * params.inner);
    if (beats(v, j, best, bj)) { best = v; bj = j; }
  }
  y[o] = i32(bj);
}
#endif
