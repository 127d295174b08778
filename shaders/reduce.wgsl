// Reductions (ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceSumSquare,
// ReduceL1, ReduceL2, ReduceLogSum) over any set of axes.
// Layout: x flat row-major S (f32, f16 or p16 for float16 values stored so, or i32 for integer
// tensors), computed in T (f32, or i32); y holds one value per output
// in row-major order of the kept dims (which is also the keepdims=1 layout). The host coalesces
// x's dims into kept dims and reduced dims (size-1 dims dropped, adjacent dims of one kind merged;
// at most 8 each): output o starts at input offset base(o) (kept_out_strides split o into kept
// coordinates, kept_in_strides place them in x), and reduced index r in [0, count) adds
// red_offset(r) (red_out_strides / red_in_strides, the same way).
// Per element v: acc = {{COMBINE}} of acc and {{MAP}} of v, from {{INIT}} (IDEMPOTENT ops, max and
// min, start from the first element instead, which keeps -inf inputs exact); the output is
// {{FINAL}} of acc and count.
// Tiling, variant WORKGROUP (long reductions): one workgroup of {{WG}} invocations per output
// (2D grid of workgroups); invocations stride over r, then a tree reduction in workgroup memory.
// Otherwise one invocation per output, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

alias T = {{T}};

struct Params {
  outputs: u32,
  count: u32,
  kept_rank: u32,
  red_rank: u32,
  kept_out_strides: array<vec4<u32>, 2>,
  kept_in_strides: array<vec4<u32>, 2>,
  red_out_strides: array<vec4<u32>, 2>,
  red_in_strides: array<vec4<u32>, 2>,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

fn base_offset(o: u32) -> u32 {
  var rem = o;
  var off = 0u;
  for (var d = 0u; d < params.kept_rank; d++) {
    let s = params.kept_out_strides[d / 4u][d % 4u];
    let q = rem / s;
    rem -= q * s;
    off += q * params.kept_in_strides[d / 4u][d % 4u];
  }
  return off;
}

fn red_offset(r: u32) -> u32 {
  var rem = r;
  var off = 0u;
  for (var d = 0u; d < params.red_rank; d++) {
    let s = params.red_out_strides[d / 4u][d % 4u];
    let q = rem / s;
    rem -= q * s;
    off += q * params.red_in_strides[d / 4u][d % 4u];
  }
  return off;
}

fn map(v: T) -> T {
  return {{MAP}};
}

fn combine(acc: T, v: T) -> T {
  return {{COMBINE}};
}

fn finish(acc: T, count: u32) -> T {
  return {{FINAL}};
}

fn start(base: u32) -> T {
#if IDEMPOTENT
  return map(x_get(base));
#else
  return {{INIT}};
#endif
}

#if WORKGROUP
var<workgroup> red: array<T, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  // o is uniform across the workgroup, so the early return keeps the barriers uniform.
  let o = wid.y * nwg.x + wid.x;
  if (o >= params.outputs) { return; }
  let base = base_offset(o);
  var acc = start(base);
  for (var r = lidx; r < params.count; r += {{WG}}u) {
    acc = combine(acc, map(x_get(base + red_offset(r))));
  }
  red[lidx] = acc;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s) { red[lidx] = combine(red[lidx], red[lidx + s]); }
    workgroupBarrier();
  }
  if (lidx == 0u) { y_set(o, finish(red[0], params.count)); }
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let o = flat_index(wid, nwg, lidx, {{WG}}u);
  if (o >= params.outputs) { return; }
  let base = base_offset(o);
  var acc = start(base);
  for (var r = 0u; r < params.count; r++) {
    acc = combine(acc, map(x_get(base + red_offset(r))));
  }
  y_set(o, finish(acc, params.count));
}
#endif
