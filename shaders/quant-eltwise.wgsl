// Elementwise quantized ops of onnxruntime's com.microsoft domain (QLinearAdd, QLinearMul,
// QLinearSigmoid, QLinearLeakyRelu, and the requantising copy of QLinearConcat), all per-tensor:
// y = clamp(round({{EXPR}}) + y_zp, QMIN, QMAX), round half to even, where EXPR is the op's
// result divided by y_scale, written with da = f32(a - a_zp), db = f32(b - b_zp), the scales sa,
// sb, sc (y's) and the uniform alpha (runtime/ops/quant/eltwise.ts); BINARY also has the raw
// values xa, xb (f32). EXPR_HAS_ZP: EXPR includes y_zp already, y = clamp(round(EXPR), QMIN, QMAX)
// (QLinearAdd, rounded after the zero point is added as onnxruntime's MLAS kernel does).
// Layout: x0 (a), x1 (b, BINARY only) and y are flat row-major arrays of 8-bit values ({{TA}},
// {{TB}}, {{TY}}: i32, or i8 / u8 packed four per word, read and written in i32); the
// scales (f32) and zero points (i32) are 1-element buffers. Broadcasting as shaders/binary.wgsl:
// out_strides / a_strides / b_strides of the coalesced dims (0 along broadcast dims), rank <= 8.
// Without BINARY, `a_strides` has one more use: element i of a is written to y at
// (i / inner) * y_outer + y_offset + i % inner (QLinearConcat's slab of the output; identity
// for the unary ops, with inner = n).
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid (flat_index). VEC4 (BINARY,
// a and b of y's shape, n a multiple of 4): 4 consecutive elements per invocation, read and
// written as whole groups (//#tensor4: one word of packed 8-bit values), so that a packed output
// takes no atomic byte writes.
//#include prelude

struct Params {
  n: u32,
  rank: u32,
  inner: u32,
  y_outer: u32,
  y_offset: u32,
  alpha: f32,
  out_strides: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

#if VEC4
//#tensor4 x0 0 read {{TA}}
#else
//#tensor x0 0 read {{TA}}
#endif
@group(0) @binding(1) var<storage, read> a_scale: array<f32>;
@group(0) @binding(2) var<storage, read> a_zp: array<i32>;
@group(0) @binding(3) var<storage, read> y_scale: array<f32>;
@group(0) @binding(4) var<storage, read> y_zp: array<i32>;
#if VEC4
//#tensor4 y 5 read_write {{TY}}
#else
//#tensor y 5 read_write {{TY}}
#endif
@group(0) @binding(6) var<uniform> params: Params;
#if BINARY
#if VEC4
//#tensor4 x1 7 read {{TB}}
#else
//#tensor x1 7 read {{TB}}
#endif
@group(0) @binding(8) var<storage, read> b_scale: array<f32>;
@group(0) @binding(9) var<storage, read> b_zp: array<i32>;
#endif

fn requant(v: f32) -> i32 {
#if EXPR_HAS_ZP
  return i32(clamp(round(v), {{QMIN}}.0, {{QMAX}}.0));
#else
  return i32(clamp(round(v) + f32(y_zp[0]), {{QMIN}}.0, {{QMAX}}.0));
#endif
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  let sa = a_scale[0];
  let sc = y_scale[0];
  let alpha = params.alpha;
#if VEC4
  if (i >= params.n / 4u) { return; }
  let va = x0_get4(i);
  let vb = x1_get4(i);
  let sb = b_scale[0];
  var r = vec4<i32>();
  for (var j = 0u; j < 4u; j++) {
    let xa = f32(va[j]);
    let xb = f32(vb[j]);
    let da = xa - f32(a_zp[0]);
    let db = xb - f32(b_zp[0]);
    r[j] = requant({{EXPR}});
  }
  y_set4(i, r);
#else
  if (i >= params.n) { return; }
#if BINARY
  var rem = i;
  var ia = 0u;
  var ib = 0u;
  for (var d = 0u; d < params.rank; d++) {
    let s = params.out_strides[d / 4u][d % 4u];
    let q = rem / s;
    rem -= q * s;
    ia += q * params.a_strides[d / 4u][d % 4u];
    ib += q * params.b_strides[d / 4u][d % 4u];
  }
  let xa = f32(x0_get(ia));
  let xb = f32(x1_get(ib));
  // Exact in f32 (8-bit values and zero points), as f32(x - zp).
  let da = xa - f32(a_zp[0]);
  let db = xb - f32(b_zp[0]);
  let sb = b_scale[0];
  y_set(i, requant({{EXPR}}));
#else
  let da = f32(x0_get(i) - a_zp[0]);
  y_set((i / params.inner) * params.y_outer + params.y_offset + i % params.inner, requant({{EXPR}}));
#endif
#endif
}
