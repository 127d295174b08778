// LpPool: y = (sum over the window of |x|^p)^(1/p); padding contributes nothing.
// Layout: x is flat row-major S [N*C, in_h, in_w], y is [N*C, out_h, out_w] (1-D pools run with
// a height of 1). Window of output (oh, ow): rows oh * stride_h - pad_top + kh * dil_h for
// kh < kernel_h, columns likewise; positions outside the input are skipped.
// p = 1 and p = 2 avoid pow (exact sums of |x| and x², sqrt); other p use pow.
// Tiling: one output element per invocation, {{WG}} per workgroup, 2D grid (flat_index).
//#include prelude

struct Params {
  n: u32,
  in_h: u32,
  in_w: u32,
  out_h: u32,
  out_w: u32,
  p: f32,
  kernel: vec2<u32>,
  strides: vec2<u32>,
  dilations: vec2<u32>,
  pads: vec2<i32>,
}

//#tensor x 0 read {{S}}
//#tensor y 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

fn lp_term(v: f32) -> f32 {
  let a = abs(v);
  if (params.p == 1.0) { return a; }
  if (params.p == 2.0) { return a * a; }
  // WGSL's pow is undefined at 0; 0^p is 0 for the positive p of LpPool.
  return select(pow(a, params.p), 0.0, a == 0.0);
}

fn lp_root(s: f32) -> f32 {
  if (params.p == 1.0) { return s; }
  if (params.p == 2.0) { return sqrt(s); }
  return select(pow(s, 1.0 / params.p), 0.0, s == 0.0);
}

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.n) { return; }
  let ow = i % params.out_w;
  let oh = (i / params.out_w) % params.out_h;
  let plane = i / (params.out_w * params.out_h);
  let base = plane * params.in_h * params.in_w;
  let h0 = i32(oh * params.strides.x) - params.pads.x;
  let w0 = i32(ow * params.strides.y) - params.pads.y;
  var acc = 0.0;
  for (var kh = 0u; kh < params.kernel.x; kh++) {
    let ih = h0 + i32(kh * params.dilations.x);
    if (ih < 0 || ih >= i32(params.in_h)) { continue; }
    for (var kw = 0u; kw < params.kernel.y; kw++) {
      let iw = w0 + i32(kw * params.dilations.y);
      if (iw < 0 || iw >= i32(params.in_w)) { continue; }
      acc += lp_term(x_get(base + u32(ih) * params.in_w + u32(iw)));
    }
  }
  y_set(i, lp_root(acc));
}
