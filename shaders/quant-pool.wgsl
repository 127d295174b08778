// Quantized average pooling (com.microsoft QLinearAveragePool, QLinearGlobalAveragePool) over a
// 2-D window (1-D pools have a height of 1; the global pool's window is the whole image).
// Layout: x and y are flat arrays of 8-bit values ({{TX}}, {{TY}}: i32, or i8 / u8 packed four
// per word, read and written in i32); element (n, c, h, w) of x is at
// n*x_n + c*x_c + h*x_h + w*x_w, of y at n*y_n + c*y_c + h*y_h + w*y_w (NCHW, or NHWC with
// channels_last). x_scale, x_zp, y_scale, y_zp are 1-element buffers (per-tensor).
// Each output sums (x - x_zp) over the window's taps inside the input in i32 (exact), and
// requantises as onnxruntime: y = clamp(round(sum * (x_scale / (y_scale * count))) + y_zp),
// round half to even; count is the number of taps inside the input, or with COUNT_INCLUDE_PAD
// the window's size clipped to the padded input (as shaders/pool.wgsl).
// Tiling: one output per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  total: i32,
  C: i32, OH: i32, OW: i32, IH: i32, IW: i32, KH: i32, KW: i32,
  stride_h: i32, stride_w: i32, pad_h: i32, pad_w: i32, pad_end_h: i32, pad_end_w: i32,
  x_n: i32, x_c: i32, x_h: i32, x_w: i32,
  y_n: i32, y_c: i32, y_h: i32, y_w: i32,
}

//#tensor x 0 read {{TX}}
@group(0) @binding(1) var<storage, read> x_scale: array<f32>;
@group(0) @binding(2) var<storage, read> x_zp: array<i32>;
@group(0) @binding(3) var<storage, read> y_scale: array<f32>;
@group(0) @binding(4) var<storage, read> y_zp: array<i32>;
//#tensor y 5 read_write {{TY}}
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = i32(flat_index(wid, nwg, lidx, {{WG}}u));
  if (i >= params.total) { return; }
  let ow = i % params.OW;
  let oh = (i / params.OW) % params.OH;
  let c = (i / (params.OW * params.OH)) % params.C;
  let n = i / (params.OW * params.OH * params.C);
  let h0 = oh * params.stride_h - params.pad_h;
  let w0 = ow * params.stride_w - params.pad_w;
  let zx = x_zp[0];
  let base = n * params.x_n + c * params.x_c;
  var acc = 0;
  var count = 0;
  for (var kh = 0; kh < params.KH; kh++) {
    let ih = h0 + kh;
    if (ih < 0 || ih >= params.IH) { continue; }
    for (var kw = 0; kw < params.KW; kw++) {
      let iw = w0 + kw;
      if (iw < 0 || iw >= params.IW) { continue; }
      acc += x_get(u32(base + ih * params.x_h + iw * params.x_w)) - zx;
      count++;
    }
  }
#if COUNT_INCLUDE_PAD
  count = min(params.KH, params.IH + params.pad_end_h - h0) * min(params.KW, params.IW + params.pad_end_w - w0);
#endif
  let m = x_scale[0] / (y_scale[0] * f32(max(count, 1)));
  let q = round(f32(acc) * m) + f32(y_zp[0]);
  y_set(u32(n * params.y_n + c * params.y_c + oh * params.y_h + ow * params.y_w), i32(clamp(q, {{QMIN}}.0, {{QMAX}}.0)));
}
