// 2-D max / average pooling over NCHW (a 1-D pool runs with H = OH = KH = 1).
// Layout: x is [N, C, H, W] and y is [N, C, OH, OW], flat row-major; every (n, c) plane is
// pooled independently. Tiling: one output element per invocation, {{WG}} per workgroup, 2-D grid
// of workgroups (see flat_index); the invocation walks its (dilated) window and skips taps in
// the padding. MAX: the largest tap. AVG: the sum over the taps inside the image, divided by
// their count, or with COUNT_INCLUDE_PAD by the window's size clipped to the padded image (the
// part of a ceil_mode window past the end padding does not count, as in onnxruntime).
//#include prelude

struct Params {
  total: u32,
  H: u32,
  W: u32,
  OH: u32,
  OW: u32,
  KH: u32,
  KW: u32,
  stride_h: i32,
  stride_w: i32,
  pad_h: i32,
  pad_w: i32,
  pad_h_end: i32,
  pad_w_end: i32,
  dil_h: i32,
  dil_w: i32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let ow = i % params.OW;
  let t = i / params.OW;
  let oh = t % params.OH;
  let plane = t / params.OH;
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  let h0 = i32(oh) * params.stride_h - params.pad_h;
  let w0 = i32(ow) * params.stride_w - params.pad_w;
  let base = plane * params.H * params.W;
#if MAX
  var acc = bitcast<f32>(0xff7fffffu); // the lowest finite f32
#else
  var acc = 0.0;
  var count = 0u;
#endif
  for (var kh = 0u; kh < params.KH; kh++) {
    let ih = h0 + i32(kh) * params.dil_h;
    if (ih < 0 || ih >= Hi) { continue; }
    for (var kw = 0u; kw < params.KW; kw++) {
      let iw = w0 + i32(kw) * params.dil_w;
      if (iw < 0 || iw >= Wi) { continue; }
      let v = x[base + u32(ih * Wi + iw)];
#if MAX
      acc = max(acc, v);
#else
      acc += v;
      count += 1u;
#endif
    }
  }
#if MAX
  y[i] = acc;
#else
#if COUNT_INCLUDE_PAD
  // Taps of the window that fall inside the padded image [-pad, size + pad_end).
  let nh = min(params.KH, u32((Hi + params.pad_h_end - 1 - h0) / params.dil_h) + 1u);
  let nw = min(params.KW, u32((Wi + params.pad_w_end - 1 - w0) / params.dil_w) + 1u);
  y[i] = acc / f32(nh * nw);
#else
  y[i] = acc / f32(max(count, 1u));
#endif
#endif
}
