// im2col for 2-D convolution (NCHW): writes the matrix whose GEMM with W is the conv
// (shaders/conv-gemm.wgsl, dense operand), one row per reduction index and one column per output:
//   col[g][k][n] = x[b, g*Cg + c, oh*stride_h - pad_h + kh*dil_h, ow*stride_w - pad_w + kw*dil_w]
//   with k = (c, kh, kw) over the group's Cg channels and the KH x KW kernel (K = Cg*KH*KW) and
//   n = (b, oh, ow) over the batch and the output plane (ncols = N*OH*OW);
//   0 for taps outside the image, and for the padding columns ncols <= n < ld.
// Layout: x is [N, C, H, W]; col is [group, K, ld], ld being ncols rounded up to a multiple of 4
// (so that the GEMM reads whole, aligned vec4s).
// Tiling: one element per invocation, n fastest (consecutive invocations write consecutive
// addresses), {{WG}} per workgroup on a flat 2-D grid (see flat_index).
//#include prelude

struct Params {
  total: u32,
  C: u32,
  H: u32,
  W: u32,
  Cg: u32,
  KH: u32,
  KW: u32,
  OH: u32,
  OW: u32,
  ncols: u32,
  ld: u32,
  stride_h: i32,
  stride_w: i32,
  pad_h: i32,
  pad_w: i32,
  dil_h: i32,
  dil_w: i32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> col: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.total) { return; }
  let n = i % params.ld;
  let row = i / params.ld;
  if (n >= params.ncols) {
    col[i] = 0.0;
    return;
  }
  let KHW = params.KH * params.KW;
  let K = params.Cg * KHW;
  let kidx = row % K;
  let g = row / K;
  let c = kidx / KHW;
  let kh = (kidx % KHW) / params.KW;
  let kw = kidx % params.KW;
  let OHW = params.OH * params.OW;
  let b = n / OHW;
  let p = n % OHW;
  let ih = i32(p / params.OW) * params.stride_h - params.pad_h + i32(kh) * params.dil_h;
  let iw = i32(p % params.OW) * params.stride_w - params.pad_w + i32(kw) * params.dil_w;
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  var v = 0.0;
  if (ih >= 0 && ih < Hi && iw >= 0 && iw < Wi) {
    v = x[((b * params.C + g * params.Cg + c) * params.H + u32(ih)) * params.W + u32(iw)];
  }
  col[i] = v;
}
