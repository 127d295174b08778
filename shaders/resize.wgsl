// Resize / Upsample by separable tap tables (see runtime/ops/image/interpolate.ts).
// Layout: x and y are flat row-major tensors (rank <= 8). out_strides are y's row-major strides.
// Dims that are not resized map output coordinate c to input coordinate c: pass_strides holds
// their input strides (0 for resized dims). The nact <= 4 resized dims are listed in act_dim,
// with their input strides in act_stride; the tap tables hold {{TAPS}} entries per output index
// of each resized dim, starting at entry act_table[k]: taps_idx the input index along that dim,
// taps_w its weight. taps_idx of tap 0 is -1 (EXTRAPOLATE, tf_crop_and_resize) when the source
// coordinate is outside the input: the output is then the extrapolation value (its bits).
// Elements are {{T}}, read and written in {{C}} (//#tensor accessors). Variant NEAREST: one tap
// of weight 1, elements moved as u32 bitwise for any 4-byte type, or as f16 / p16 for float16
// values stored so (through f32, exactly); no weight table. Otherwise {{T}} is the float storage
// (f32, f16 or p16) computed in f32, and y = sum over every combination of one tap per resized
// dim of (product of the weights) * x[offset]. The extrapolation value is the bits of a {{C}}:
// the output element's for u32, else the f32 value (rounded to f16 when stored).
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude


struct Params {
  n: u32,
  rank: u32,
  nact: u32,
  extrapolation: u32,
  out_strides: array<vec4<u32>, 2>,
  pass_strides: array<vec4<u32>, 2>,
  act_dim: vec4<u32>,
  act_stride: vec4<u32>,
  act_table: vec4<u32>,
}

//#tensor x 0 read {{T}}
@group(0) @binding(1) var<storage, read> taps_idx: array<i32>;
#ifnot NEAREST
@group(0) @binding(2) var<storage, read> taps_w: array<f32>;
#endif
//#tensor y 3 read_write {{T}}
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  var coord: array<u32, 8>;
  var rem = i;
  var base = 0u;
  for (var d = 0u; d < params.rank; d++) {
    let s = params.out_strides[d / 4u][d % 4u];
    let q = rem / s;
    rem -= q * s;
    coord[d] = q;
    base += q * params.pass_strides[d / 4u][d % 4u];
  }
  // First table entry of this output's taps along each resized dim.
  var rows: array<u32, 4>;
  for (var k = 0u; k < params.nact; k++) {
    rows[k] = params.act_table[k] + coord[params.act_dim[k]] * {{TAPS}}u;
#if EXTRAPOLATE
    if (taps_idx[rows[k]] < 0) {
      y_set(i, bitcast<{{C}}>(params.extrapolation));
      return;
    }
#endif
  }
#if NEAREST
  var off = base;
  for (var k = 0u; k < params.nact; k++) {
    off += u32(taps_idx[rows[k]]) * params.act_stride[k];
  }
  y_set(i, x_get(off));
#else
  var combos = 1u;
  for (var k = 0u; k < params.nact; k++) { combos *= {{TAPS}}u; }
  var acc = 0.0;
  for (var c = 0u; c < combos; c++) {
    var digits = c;
    var off = base;
    var w = 1.0;
    for (var k = 0u; k < params.nact; k++) {
      let t = digits % {{TAPS}}u;
      digits /= {{TAPS}}u;
      let e = rows[k] + t;
      off += u32(taps_idx[e]) * params.act_stride[k];
      w *= taps_w[e];
    }
    acc += w * x_get(off);
  }
  y_set(i, acc);
#endif
}
