// im2col for convolution with 1 to 3 spatial axes (1-D and 2-D windows run as 3-D ones with
// leading axes of size 1): writes the matrix whose GEMM with W is the conv (the dense operand of
// shaders/conv-gemm.wgsl and conv-gemm-sg.wgsl), one row per reduction index, one column per output:
//   col[g][k][n] = x[b, g*Cg + c, od*stride_d - pad_d + kd*dil_d, oh*stride_h - pad_h + kh*dil_h,
//                    ow*stride_w - pad_w + kw*dil_w]
//   with k = (c, kd, kh, kw) over the group's Cg channels and the KD x KH x KW kernel
//   (K = Cg*KD*KH*KW) and n = (b, od, oh, ow) over the batch and the output (ncols = N*OD*OH*OW);
//   PAD for taps outside the input (0; an integer conv's x zero point), and for the padding
//   columns ncols <= n < ld.
// Layout: x is [N, C, D, H, W]; col is [group, K, ld], ld being ncols rounded up to a multiple
// of 4 (so that the GEMM reads whole, aligned vec4s). Both are arrays of S, the values' storage
// type (f32, or f16 / p16 for float16 values): the matrix holds copies of
// x's elements, so storing it in x's type is exact and halves its memory for float16 (8-bit
// values: i8 / u8, a quarter). Values are handled in {{C}}, the storage's compute type.
// Tiling: one invocation per row and run of {{QUADS}} column quads (4 * {{QUADS}} consecutive
// columns), written as vec4s; {{WG}} invocations per workgroup on a flat 2-D grid (see
// flat_index). The row's (g, c, kd, kh, kw) and the first column's (b, od, oh, ow) cost integer
// divisions, which a software adapter runs one lane at a time; the columns after the first step
// (ow, oh, od, b) by increments instead: ~10x fewer divisions than one element per invocation.
//#include prelude

struct Params {
  rows: u32,
  runs: u32,
  C: u32,
  D: u32,
  H: u32,
  W: u32,
  Cg: u32,
  KD: u32,
  KH: u32,
  KW: u32,
  OD: u32,
  OH: u32,
  OW: u32,
  ncols: u32,
  ld4: u32,
  stride_d: i32,
  stride_h: i32,
  stride_w: i32,
  pad_d: i32,
  pad_h: i32,
  pad_w: i32,
  dil_d: i32,
  dil_h: i32,
  dil_w: i32,
}

//#tensor x 0 read {{S}}
//#tensor4 col 1 read_write {{S}}
@group(0) @binding(2) var<uniform> params: Params;

const QUADS: u32 = {{QUADS}}u;

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let i = flat_index(wid, nwg, lidx, {{WG}}u);
  if (i >= params.rows * params.runs) { return; }
  let row = i / params.runs;
  let q0 = (i % params.runs) * QUADS;
  let KHW = params.KH * params.KW;
  let KDHW = params.KD * KHW;
  let K = params.Cg * KDHW;
  let kidx = row % K;
  let g = row / K;
  let c = kidx / KDHW;
  let kd = i32((kidx % KDHW) / KHW);
  let kh = i32((kidx % KHW) / params.KW);
  let kw = i32(kidx % params.KW);
  let Di = i32(params.D);
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  let volume = params.D * params.H * params.W;
  let chan = (g * params.Cg + c) * volume;
  // The first column's batch and output position; later columns step through them.
  let n0 = q0 * 4u;
  let OHW = params.OH * params.OW;
  let ODHW = params.OD * OHW;
  var b = n0 / ODHW;
  var od = (n0 % ODHW) / OHW;
  var oh = (n0 % OHW) / params.OW;
  var ow = n0 % params.OW;
  let q_end = min(q0 + QUADS, params.ld4);
  for (var q = q0; q < q_end; q++) {
    var v = vec4<{{C}}>({{PAD}});
    for (var j = 0u; j < 4u; j++) {
      if (q * 4u + j < params.ncols) {
        let id = i32(od) * params.stride_d - params.pad_d + kd * params.dil_d;
        let ih = i32(oh) * params.stride_h - params.pad_h + kh * params.dil_h;
        let iw = i32(ow) * params.stride_w - params.pad_w + kw * params.dil_w;
        if (id >= 0 && id < Di && ih >= 0 && ih < Hi && iw >= 0 && iw < Wi) {
          v[j] = x_get(b * params.C * volume + chan + (u32(id) * params.H + u32(ih)) * params.W + u32(iw));
        }
        ow++;
        if (ow == params.OW) {
          ow = 0u;
          oh++;
          if (oh == params.OH) {
            oh = 0u;
            od++;
            if (od == params.OD) {
              od = 0u;
              b++;
            }
          }
        }
      }
    }
    col_set4(row * params.ld4 + q, v);
  }
}
