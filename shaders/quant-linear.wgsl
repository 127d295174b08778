// QuantizeLinear / DequantizeLinear (ONNX opsets 10-21), per-tensor and per-axis.
// Layout: x and y are flat row-major arrays of 4-byte elements: {{TX}} for x (f32 for float
// input of QuantizeLinear, i32 for integer input), {{TY}} for y; 8-bit values live in i32.
// scale (f32) and zp (i32) hold `channels` entries: the quantization axis has `channels` elements
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

@group(0) @binding(0) var<storage, read> x: array<{{TX}}>;
@group(0) @binding(1) var<storage, read> scale: array<f32>;
@group(0) @binding(2) var<storage, read> zp: array<i32>;
@group(0) @binding(3) var<storage, read_write> y: array<{{TY}}>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let c = (i / params.inner) % params.channels;
#if QUANTIZE
  let q = round(f32(x[i]) / scale[c]) + f32(zp[c]);
  y[i] = i32(clamp(q, {{QMIN}}.0, {{QMAX}}.0));
#else
  y[i] = f32(x[i] - zp[c]) * scale[c];
#endif
}
