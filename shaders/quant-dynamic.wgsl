// DynamicQuantizeLinear (ONNX opset 11) to uint8, in two dispatches, with no host readback.
// Layout: x is a flat f32 array of n elements; y a flat array of uint8 values 0..255 ({{TZ}} =
// {{TY}}: i32, or u8 packed four per word, runtime/gpu/elements.ts); y_scale (f32) and y_zp hold
// one element each.
// PARAMS: a single workgroup of {{WG}} invocations strides over x for its min and max, reduces
// them in workgroup memory, and invocation 0 writes the scale and zero point by the spec's and
// onnxruntime's formula: the range is widened to include 0, scale = (max - min) / 255 (1 when
// max == min, i.e. an all-zero x: onnxruntime's choice, which avoids 0 / 0), zero point =
// round_half_to_even(clamp(0 - min / scale, 0, 255)).
// Otherwise: y = clamp(round(x / scale) + zp, 0, 255), one element per invocation, 2D grid.
//#include prelude

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
#if PARAMS
@group(0) @binding(1) var<storage, read_write> y_scale: array<f32>;
//#tensor y_zp 2 read_write {{TZ}}
@group(0) @binding(3) var<uniform> params: Params;

var<workgroup> lo: array<f32, {{WG}}>;
var<workgroup> hi: array<f32, {{WG}}>;

@compute @workgroup_size({{WG}})
fn main(@builtin(local_invocation_index) lidx: u32) {
  // 0 is in the range by definition (spec: "the data range is adjusted to include 0").
  var mn = 0.0;
  var mx = 0.0;
  for (var i = lidx; i < params.n; i += {{WG}}u) {
    mn = min(mn, x[i]);
    mx = max(mx, x[i]);
  }
  lo[lidx] = mn;
  hi[lidx] = mx;
  workgroupBarrier();
  for (var s = {{WG}}u / 2u; s > 0u; s >>= 1u) {
    if (lidx < s) {
      lo[lidx] = min(lo[lidx], lo[lidx + s]);
      hi[lidx] = max(hi[lidx], hi[lidx + s]);
    }
    workgroupBarrier();
  }
  if (lidx == 0u) {
    let a = lo[0];
    let b = hi[0];
    let scale = select((b - a) / 255.0, 1.0, b == a);
    y_scale[0] = scale;
    y_zp_set(0u, i32(round(clamp(0.0 - a / scale, 0.0, 255.0))));
  }
}
#else
@group(0) @binding(1) var<storage, read> y_scale: array<f32>;
//#tensor y_zp 2 read {{TZ}}
//#tensor y 3 read_write {{TY}}
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let q = round(x[i] / y_scale[0]) + f32(y_zp_get(0u));
  y_set(i, i32(clamp(q, 0.0, 255.0)));
}
#endif
