// Softmax / LogSoftmax along one axis.
// Layout: x, y flat row-major f32, viewed as [outer, n, inner]; the softmax runs over n, and
// element (o, j, r) is at (o * n + j) * inner + r. A row is one (o, r) pair: rows = outer * inner.
// (The opset < 13 form, which coerces the input to 2D at `axis`, is inner = 1.)
// Numerically stable: m = max_j x, s = sum_j exp(x - m); y = exp(x - m) / s, or with LOG
// y = x - m - log(s).
// Tiling, variant WORKGROUP (long rows): one workgroup of {{WG}} invocations per row (2D grid of
// workgroups); each invocation strides over the row, then a tree reduction in workgroup memory
// gives the max, and another the sum. Otherwise (short rows): one invocation per row, {{WG}} per
// workgroup, 2D grid (flat_index); consecutive invocations take consecutive r, so the accesses
// are coalesced when inner > 1.
// Elements are of storage type S (f32, or f16 / p16 for float16 values); exponentials and sums in f32.
//#include prelude

struct Params {
  rows: u32,
  n: u32,
  inner: u32,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

const LOWEST: f32 = -3.4028234663852886e38;

fn row_base(row: u32) -> u32 {
  return (row / params.inner) * params.n * params.inner + row % params.inner;
}

fn result(v: f32, m: f32, s: f32) -> f32 {
#if LOG
  return v - m - log(s);
#else
  return exp(v - m) / s;
#endif
}

#if WORKGROUP
var<workgroup> red: array<f32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  // row is uniform across the workgroup, so the early return keeps the barriers uniform.
  let row = wid.y * nwg.x + wid.x;
  if (row >= params.rows) { return; }
  let base = row_base(row);
  let step = params.inner;

  var m = LOWEST;
  for (var j = lidx; j < params.n; j += {{WG}}u) {
    m = max(m, x_get(base + j * step));
  }
  red[lidx] = m;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s) { red[lidx] = max(red[lidx], red[lidx + s]); }
    workgroupBarrier();
  }
  let row_max = red[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var j = lidx; j < params.n; j += {{WG}}u) {
    sum += exp(x_get(base + j * step) - row_max);
  }
  red[lidx] = sum;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s) { red[lidx] += red[lidx + s]; }
    workgroupBarrier();
  }
  let row_sum = red[0];

  for (var j = lidx; j < params.n; j += {{WG}}u) {
    let i = base + j * step;
    y_set(i, result(x_get(i), row_max, row_sum));
  }
}
#else
@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let row = flat_index(wid, nwg, lidx, {{WG}}u);
  if (row >= params.rows) { return; }
  let base = row_base(row);
  let step = params.inner;
  var m = LOWEST;
  for (var j = 0u; j < params.n; j++) {
    m = max(m, x_get(base + j * step));
  }
  var sum = 0.0;
  for (var j = 0u; j < params.n; j++) {
    sum += exp(x_get(base + j * step) - m);
  }
  for (var j = 0u; j < params.n; j++) {
    let i = base + j * step;
    y_set(i, result(x_get(i), m, sum));
  }
}
#endif
