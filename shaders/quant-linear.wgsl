// QuantizeLinear / DequantizeLinear (ONNX opsets 10-21), per-tensor and per-axis.
// Layout: x and y are flat row-major arrays: {{TX}} for x (f32, f16 or p16 for float input of
// QuantizeLinear; i32, i8 or u8 for integer input), {{TY}} for y (i32, i8 or u8, or DequantizeLinear's
// f32, f16 or p16): 8-bit values in i32 or packed four per word, float16 values in f16 or p16,
// all computed in i32 / f32 through the //#tensor accessors.
// scale ({{TS}}) and zp (i32) hold `channels` entries: the quantization axis has `channels` elements
// and `inner` is the product of the dims after it, so element i uses entry (i / inner) % channels
// (per-tensor: channels = 1).
// QUANTIZE: y = clamp(round(x / scale) + zp, QMIN, QMAX), round half to even (WGSL round) as
// the spec says; the clamp happens in f32 so that huge quotients saturate instead of wrapping.
// Otherwise: y = f32(x - zp) * scale (the spec's (x - zero_point) * scale; int32 x for the bias form).
// Tiling: one element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  n: u32,
  inner: u32,
  channels: u32,
}

//#tensor x 0 read {{TX}}
//#tensor scale 1 read {{TS}}
@group(0) @binding(2) var<storage, read> zp: array<i32>;
//#tensor y 3 read_write {{TY}}
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let c = (i / params.inner) % params.channels;
#if QUANTIZE
  let q = round(f32(x_get(i)) / scale_get(c)) + f32(zp[c]);
  y_set(i, i32(clamp(q, {{QMIN}}.0, {{QMAX}}.0)));
#else
  y_set(i, f32(x_get(i) - zp[c]) * scale_get(c));
#endif
}
