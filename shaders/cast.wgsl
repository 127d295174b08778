// Cast between element types: y[i] = {{EXPR}} of the input element v.
// Layout: x and y are flat arrays of their storage types {{TX}} / {{TY}} (runtime/gpu/elements.ts:
// f32, f16 or p16 for floats, i32 for integers, u32 0/1 for bool), read and written through the
// //#tensor accessors in their compute types (f32 for f16 and p16). EXPR (chosen on the host from
// the source and target types) converts (f32 -> i32 truncates toward zero and saturates, as WGSL's
// conversion does), narrows 8/16-bit integer targets by wrapping, as a C cast does, and rounds
// float16 targets to nearest even, overflowing to ±Infinity.
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid of workgroups (flat_index).
//#include prelude

struct Params {
  n: u32,
}

//#tensor x 0 read {{TX}}
//#tensor y 1 read_write {{TY}}
@group(0) @binding(2) var<uniform> params: Params;

// |v| at or above the midpoint between f16's largest finite value (65504) and 65536 rounds to
// Infinity in IEEE round-to-nearest; WGSL leaves such conversions indeterminate, so handle them.
fn f16_overflows(v: f32) -> bool {
  return abs(v) >= 65520.0;
}

fn signed_inf(v: f32) -> f32 {
  return bitcast<f32>(select(0x7f800000u, 0xff800000u, v < 0.0));
}

// To an f32 holding the nearest float16 value (devices without 'shader-f16'), in integer bit
// arithmetic: unpack2x16float(pack2x16float(v)) would do, but compilers fold that pair away
// (Mesa's NIR does: measured on lavapipe), losing the rounding.
fn round_f16(v: f32) -> f32 {
  if (f16_overflows(v)) { return signed_inf(v); }
  let sign = bitcast<u32>(v) & 0x80000000u;
  let a = abs(v);
  if (a < 6.103515625e-05) {
    // f16 subnormals are multiples of 2^-24; the scaling is exact and round() is half-to-even.
    return bitcast<f32>(bitcast<u32>(round(a * 16777216.0) / 16777216.0) | sign);
  }
  // Normal: keep 11 significant bits, rounding half to even at bit 13 of the f32 mantissa.
  let b = bitcast<u32>(v);
  let r = b + 0xfffu + ((b >> 13u) & 1u);
  return bitcast<f32>(r & 0xffffe000u);
}

#if F16
fn to_f16(v: f32) -> f16 {
  if (f16_overflows(v)) { return bitcast<vec2<f16>>(select(0x7c00u, 0xfc00u, v < 0.0)).x; }
  return f16(v);
}
#endif


@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let v = x_get(i);
#if F16
  // to_f16 converts to f16 itself (out-of-range values to ±Infinity), stored as it is.
  y[i] = {{EXPR}};
#else
  y_set(i, {{EXPR}});
#endif
}
