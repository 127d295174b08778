// Depthwise 2-D convolution (NCHW, one input channel per group: Cg = 1), direct, with a patch of
// outputs per invocation:
//   y[b, oc, oh, ow] = act(bias[oc] + sum_{kh, kw} w[oc, 0, kh, kw] * x[b, oc / MULT, oh*SH - pad_h + kh*DH, ow*SW - pad_w + kw*DW] + residual)
// MULT (uniform `mult`) is the channel multiplier M / C: output channel oc reads input channel oc / mult.
// Layout: x is [N, C, H, W]; w is the ONNX [M, 1, KH, KW]; bias is [M]; y (and the residual) is
// [N, M, OH, OW]. Out-of-image taps count as 0. All are arrays of S (or vec4<S>), the values'
// storage type (f32, or f16 / p16 for float16 values), loaded as f32; the
// registers and accumulators are f32, and y is rounded once when stored.
// Tiling: one invocation computes a {{PH}}x{{PW}} patch of one output plane (b, oc); patches are
// numbered along ow, then oh, then planes, and {{WG}} consecutive patches form a workgroup (a flat
// 2-D grid, see flat_index). The invocation holds the plane's KH*KW weights and its PH*PW
// accumulators in registers and walks the input patch the outputs need, IPH = (PH-1)*SH +
// (KH-1)*DH + 1 rows of IPW = (PW-1)*SW + (KW-1)*DW + 1 values: each input row is loaded once
// into registers and feeds every (output row, kernel row) pair that uses it, so a 4x4 patch of a
// stride-1 3x3 conv loads 36 values for 144 multiply-adds (one output per invocation: 9 for 9).
// Kernel size, stride, dilation and the patch are compile-time constants, so every loop below
// has a constant trip count and unrolls into straight-line code whose array indices are
// constants (registers, not memory). No workgroup memory: on a software adapter such as
// lavapipe, a load from workgroup memory is a loop over the SIMD lanes, and the input patch is
// already in the CPU caches that neighbouring invocations share.
// VEC_X (W a multiple of 4, PW = 4): each input row segment is read as the NQ aligned vec4s that
// cover it (its first value at offset XOFF = -pad_w mod 4 of the first quad, the same for every
// patch: PW * SW is a multiple of 4), e.g. 3 vec4 loads instead of 6 values for a stride-1 3x3;
// a software adapter loads memory one lane and one load at a time, so fewer, wider loads win.
// VEC_Y (OW a multiple of 4, PW = 4): each output row of the patch is stored (and its residual
// read) as one vec4.
// Ragged edges: outputs past OH/OW are computed (on clamped, zero-masked loads) and not stored.
// Epilogue: y = act(acc + bias + residual): the bias when HAS_BIAS, the residual (a tensor of
// y's shape, read at y's index: a fused skip connection) when HAS_RESIDUAL, and act the fused
// activation of shaders/epilogue.wgsl (identity by default).
//#include prelude
//#include epilogue

struct Params {
  C: u32,
  H: u32,
  W: u32,
  M: u32,
  OH: u32,
  OW: u32,
  mult: u32,
  pad_h: i32,
  pad_w: i32,
  tiles_x: u32,
  tiles_y: u32,
  total: u32,
  act_alpha: f32,
  act_beta: f32,
  act_gamma: f32,
}

#if VEC_X
//#tensor4 x 0 read {{S}}
#else
//#tensor x 0 read {{S}}
#endif
//#tensor w 1 read {{S}}
#if HAS_BIAS
//#tensor bias 2 read {{S}}
#endif
#if VEC_Y
//#tensor4 y 3 read_write {{S}}
#else
//#tensor y 3 read_write {{S}}
#endif
@group(0) @binding(4) var<uniform> params: Params;
#if HAS_RESIDUAL
#if VEC_Y
//#tensor4 residual 5 read {{S}}
#else
//#tensor residual 5 read {{S}}
#endif
#endif

const KH: u32 = {{KH}}u;
const KW: u32 = {{KW}}u;
const SH: u32 = {{SH}}u;
const SW: u32 = {{SW}}u;
const DH: u32 = {{DH}}u;
const DW: u32 = {{DW}}u;
const PH: u32 = {{PH}}u;
const PW: u32 = {{PW}}u;
const IPH: u32 = (PH - 1u) * SH + (KH - 1u) * DH + 1u;
const IPW: u32 = (PW - 1u) * SW + (KW - 1u) * DW + 1u;
#if VEC_X
const XOFF: u32 = {{XOFF}}u;
const NQ: u32 = (XOFF + IPW + 3u) / 4u;
#endif

@compute @workgroup_size({{WG}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lidx: u32) {
  let t = flat_index(wid, nwg, lidx, {{WG}}u);
  if (t >= params.total) { return; }
  let tx = t % params.tiles_x;
  let t1 = t / params.tiles_x;
  let ty = t1 % params.tiles_y;
  let plane = t1 / params.tiles_y;
  let oc = plane % params.M;
  let b = plane / params.M;
  let c = oc / params.mult;
  let oh0 = ty * PH;
  let ow0 = tx * PW;
  let ih0 = i32(oh0 * SH) - params.pad_h;
  let iw0 = i32(ow0 * SW) - params.pad_w;
  let Hi = i32(params.H);
  let Wi = i32(params.W);
  let xplane = i32((b * params.C + c) * params.H * params.W);

  var wr: array<f32, KH * KW>;
  for (var i = 0u; i < KH * KW; i++) {
    wr[i] = w_get(oc * KH * KW + i);
  }
  var acc: array<f32, PH * PW>;
  for (var i = 0u; i < PH * PW; i++) {
    acc[i] = 0.0;
  }

  for (var ir = 0u; ir < IPH; ir++) {
    let ih = ih0 + i32(ir);
    let rowok = ih >= 0 && ih < Hi;
    let rowbase = xplane + ih * Wi;
    var row: array<f32, IPW>;
#if VEC_X
    // Quads q0 .. q0 + NQ - 1 of the row (iw0 - XOFF is a multiple of 4); with W a multiple of 4
    // a quad lies wholly inside the row or wholly outside it.
    let q0 = (iw0 - i32(XOFF)) / 4;
    var quads: array<vec4<f32>, NQ>;
    for (var q = 0u; q < NQ; q++) {
      let qi = q0 + i32(q);
      let ok = rowok && qi >= 0 && qi < Wi / 4;
      quads[q] = select(vec4<f32>(0.0), x_get4(u32(select(0, rowbase / 4 + qi, ok))), ok);
    }
    for (var ic = 0u; ic < IPW; ic++) {
      row[ic] = quads[(XOFF + ic) / 4u][(XOFF + ic) % 4u];
    }
#else
    for (var ic = 0u; ic < IPW; ic++) {
      let iw = iw0 + i32(ic);
      let ok = rowok && iw >= 0 && iw < Wi;
      row[ic] = select(0.0, x_get(u32(select(0, rowbase + iw, ok))), ok);
    }
#endif
    // Input row ir serves output row r through kernel row kh when r*SH + kh*DH = ir.
    for (var kh = 0u; kh < KH; kh++) {
      if (ir < kh * DH) { continue; }
      let d = ir - kh * DH;
      if (d % SH != 0u || d / SH >= PH) { continue; }
      let r = d / SH;
      for (var j = 0u; j < PW; j++) {
        for (var kw = 0u; kw < KW; kw++) {
          acc[r * PW + j] += wr[kh * KW + kw] * row[j * SW + kw * DW];
        }
      }
    }
  }

#if HAS_BIAS
  let bv = bias_get(oc);
#else
  let bv = 0.0;
#endif
  let ybase = plane * params.OH * params.OW;
#if VEC_Y
  for (var r = 0u; r < PH; r++) {
    let oh = oh0 + r;
    if (oh >= params.OH) { break; }
    let o4 = (ybase + oh * params.OW + ow0) / 4u;
    var v = vec4<f32>(acc[r * 4u], acc[r * 4u + 1u], acc[r * 4u + 2u], acc[r * 4u + 3u]) + bv;
#if HAS_RESIDUAL
    v += residual_get4(o4);
#endif
    y_set4(o4, vec4<f32>(epilogue_activation(v.x), epilogue_activation(v.y), epilogue_activation(v.z), epilogue_activation(v.w)));
  }
#else
  for (var r = 0u; r < PH; r++) {
    let oh = oh0 + r;
    if (oh >= params.OH) { break; }
    for (var j = 0u; j < PW; j++) {
      let ow = ow0 + j;
      if (ow >= params.OW) { break; }
      let o = ybase + oh * params.OW + ow;
#if HAS_RESIDUAL
      y_set(o, epilogue_activation(acc[r * PW + j] + bv + residual_get(o)));
#else
      y_set(o, epilogue_activation(acc[r * PW + j] + bv));
#endif
    }
  }
#endif
}
