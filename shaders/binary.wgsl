// Elementwise binary op y = f(a, b) with numpy (multidirectional) broadcasting.
// Layout: x0 (a), x1 (b) and y are flat row-major arrays of their storage types: {{T}} for a
// (f32, f16 or p16 for floats, i32 for integer and bool tensors), {{TB}} for b (the same type, except
// for Pow's exponent, which may be integer with a float base or float with an integer base) and
// {{TY}} for y (T, except for the comparison and logic ops, whose bool output is u32 0/1).
// Values are computed in C / CB / CY (f16 and p16 are loaded as f32: runtime/gpu/elements.ts),
// read and written through the //#tensor accessors. The host coalesces dims first: size-1 output
// dims are dropped and adjacent dims that are contiguous in every operand are merged, so `rank`
// is at most 8 and usually 1-3. out_strides are y's row-major strides (elements); a_strides/b_strides are the
// operands' strides, 0 along the dims where that operand is broadcast.
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (see flat_index).
// Variant SAME: a, b and y have one shape, so there is no index arithmetic.
// f is the define {{EXPR}}, an expression of a ({{T}}) and b ({{TB}}) (see op()).
//#include prelude

struct Params {
  n: u32,
  rank: u32,
  out_strides: array<vec4<u32>, 2>,
  a_strides: array<vec4<u32>, 2>,
  b_strides: array<vec4<u32>, 2>,
}

//#tensor x0 0 read {{T}}
//#tensor x1 1 read {{TB}}
//#tensor y 2 read_write {{TY}}
@group(0) @binding(3) var<uniform> params: Params;

// Pow on floats. WGSL's pow(x, e) is undefined for x < 0, while ONNX follows C's pow, which is
// real for integral exponents ((-2)^3 = -8); x^0 is 1 for every x. The common exponents are
// computed exactly (pow is exp2(e * log2(x)) on most GPUs).
fn pow_f32(x: f32, e: f32) -> f32 {
  if (e == 0.0) { return 1.0; }
  if (e == 1.0) { return x; }
  if (e == 2.0) { return x * x; }
  if (e == 0.5) { return sqrt(x); }
  if (x < 0.0 && e == floor(e)) {
    let r = pow(-x, e);
    let half = e * 0.5;
    return select(r, -r, half != floor(half));
  }
  return pow(x, e);
}

// Pow on integers by squaring; a negative exponent truncates 1/x^|e| toward zero as C does.
fn pow_i32(x: i32, e: i32) -> i32 {
  if (e < 0) {
    if (x == 1) { return 1; }
    if (x == -1) { return select(1, -1, (e & 1) != 0); }
    return 0;
  }
  var r = 1;
  var base = x;
  var k = u32(e);
  loop {
    if (k == 0u) { break; }
    if ((k & 1u) != 0u) { r *= base; }
    base *= base;
    k >>= 1u;
  }
  return r;
}

// Pow of an integer base and a float exponent (ONNX Pow opset 12+: the output has the base's type;
// onnxruntime truncates the real power toward zero). Integral exponents, the usual case, go
// through pow_i32 and are exact; other exponents through pow_f32, then truncated.
fn pow_i32_f32(x: i32, e: f32) -> i32 {
  if (e == floor(e) && abs(e) < 2147483648.0) { return pow_i32(x, i32(e)); }
  return i32(pow_f32(f32(x), e));
}

fn op(a: {{C}}, b: {{CB}}) -> {{CY}} {
  return {{EXPR}};
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
#if SAME
  y_set(i, op(x0_get(i), x1_get(i)));
#else
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
  y_set(i, op(x0_get(ia), x1_get(ib)));
#endif
}
